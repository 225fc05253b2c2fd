"""The hash-chained event ledger and its verifier."""
