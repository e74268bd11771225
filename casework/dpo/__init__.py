"""The data protection officer's work on a case: the subject-access export (GDPR art. 15)."""
