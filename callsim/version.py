"""The package's version, recorded in every results directory and report.

Written here, where pyproject.toml reads it (``dynamic = ["version"]``): asking the installed
metadata for it instead imports ``importlib.metadata``, 20-30 ms on every command's start."""

__version__ = "0.1.0"
