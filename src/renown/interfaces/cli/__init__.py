"""The ``renown`` command line (Typer + Rich)."""
