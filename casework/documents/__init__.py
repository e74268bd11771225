"""Documents of cases, meetings and decisions: files kept outside the database (storage.py),
rows with a confidentiality level as notes have, downloads that are always audited."""
