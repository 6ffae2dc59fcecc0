"""The ``callsim`` command, a thin layer over the Python API."""

from callsim.cli.commands import app

__all__ = ["app"]
