"""Demo data: operators, users and realistic synthetic declarations."""
