"""Municipalities and their institutions."""
