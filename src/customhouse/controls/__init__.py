"""Controls: tasks from risk channels, verifiable officer allocation, findings, release."""
