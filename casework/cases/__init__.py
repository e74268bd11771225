"""Referrals, cases, persons, notes and the case's history."""
