"""Decisions of the cooperation groups and the tracking of their execution (izpildes gaita)."""
