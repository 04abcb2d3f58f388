"""Interfaces (CLI, HTTP API, dashboard): they call the core, never the reverse."""
