"""Tasks with an assignee and a deadline."""
