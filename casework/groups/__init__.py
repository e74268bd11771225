"""Cooperation groups (strategic and interprofessional), their members, meetings, decisions."""
