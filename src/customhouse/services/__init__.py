"""Use cases: one keyword-only function per action, each inside one unit of work.

The HTTP API, the CLI and the web pages all call these functions; they hold no business logic.
"""
