"""The ``callsim`` command, a thin layer over the Python API."""

from callsim.cli.commands import app, main

__all__ = ["app", "main"]
