"""Administration of institutions and users (the ``admin`` role; no case content)."""
