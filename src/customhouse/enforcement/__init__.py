"""Enforcement: seizures with chain of custody, offence cases, penalties, link analysis."""
