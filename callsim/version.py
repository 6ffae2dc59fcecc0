"""The installed package's version, recorded in every results directory and report."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("callsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
