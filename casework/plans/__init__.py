"""Assessment of a case and its individual support plan (issue 12, point 4)."""
