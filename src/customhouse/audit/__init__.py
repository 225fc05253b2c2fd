"""Post-clearance audit: trader selection, audit cases, reassessment and recovery."""
