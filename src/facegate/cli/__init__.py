"""The facegate command line (Typer)."""
