"""API routers, one per domain concept."""
