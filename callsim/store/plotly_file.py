"""plotly.js beside the reports of a results directory, instead of inside each of them.

plotly.js is 4.8 MB, almost all of a report; the plotly package ships no smaller bundle and
no other dependency may be added. So a report written into a results directory loads
``plotly.min.js`` from the same folder, by a relative path: it still opens offline, and a
folder of reports carries one copy. A report meant to travel alone (mailed) inlines it
instead (``callsim report DIR --single-file``, or the report functions' ``single_file``).

Only a file callsim wrote is ever replaced: a ``plotly.min.js`` that is not plotly.js (a
user's own file of that name) makes the write fail rather than be overwritten.
"""

from __future__ import annotations

from pathlib import Path

from callsim.errors import UserError

PLOTLY_FILE = "plotly.min.js"
SCRIPT_TAG = f'<script src="{PLOTLY_FILE}" charset="utf-8"></script>'
"""How a report references the shared copy; ``html.page`` writes it, ``inline`` replaces it."""
_BANNER = b"/**\n* plotly.js v"


def plotly_js() -> str:
    """The bundle the plotly package ships (imported only when a report is written)."""
    from plotly.offline import get_plotlyjs

    text: str = get_plotlyjs()
    return text


def needs_file(report: str) -> bool:
    """Whether a report loads the shared copy (and so needs it beside it)."""
    return SCRIPT_TAG in report


def inline(report: str) -> str:
    """The report as one self-contained file: the shared copy's reference replaced by the
    bundle itself."""
    if not needs_file(report):
        return report
    head, tail = report.split(SCRIPT_TAG, 1)
    return f'{head}<script type="text/javascript">{plotly_js()}</script>{tail}'


def is_plotly(path: Path) -> bool:
    """Whether ``path`` holds plotly.js (written by callsim or not: the same file either way)."""
    try:
        with path.open("rb") as f:
            return f.read(len(_BANNER)) == _BANNER
    except OSError:
        return False


def write_plotly(path: Path) -> None:
    """Write the bundle at ``path``, through a temporary file renamed into place, so a reader
    never sees half of it; an existing file that is not plotly.js is refused, not replaced."""
    if path.exists() and not is_plotly(path):
        raise UserError(
            f"{path}: exists and is not plotly.js; refusing to replace it "
            f"(move it, or write a single-file report with --single-file)"
        )
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(plotly_js(), encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
