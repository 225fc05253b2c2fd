"""The command line (Typer): thin commands over the service functions."""
