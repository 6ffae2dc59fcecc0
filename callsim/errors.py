"""The one exception type that means *the user's mistake*, as opposed to a bug in callsim.

This module imports nothing from callsim, so every layer can raise it without import cycles.
"""

from __future__ import annotations


class UserError(ValueError):
    """A mistake a user can make — a bad scenario file, a results directory that is not one, an
    existing output, a malformed ``--param`` — with a message that is one line for them.

    The command line reports these (and only these, with file-system errors) as ``error: …`` and
    exit code 2. Any other exception, a plain ``ValueError`` included, is a bug in callsim and
    must surface as a traceback: reporting it as the user's mistake would send them looking for
    an error in their input that is not there. It subclasses ``ValueError`` so that code catching
    ``ValueError`` around the Python API keeps working.
    """
