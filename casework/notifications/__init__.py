"""Notifications in the app and by e-mail (DESIGN.md §3): never a child's name or details."""
