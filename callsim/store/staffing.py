"""Writing a staffing requirement's results directory, all files at once or none.

``requirements.csv`` (one row per interval), ``summary.json`` (the method, the target and the
figures of the whole horizon), ``staffed.yaml`` when there is a staffing to run (the scenario
scheduled with the requirement, for ``callsim run`` or ``compare``), ``report.html`` when one is
given and ``manifest.json``. The directory follows the rule of every results directory: a
non-empty one is replaced only with ``force``, only if callsim wrote it, and files a user added
to it are kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from callsim.scenario.schema import Scenario
from callsim.store.write import Writer, Writers, manifest, report_writers, write_directory


def write_requirements(
    out: Path,
    *,
    table: pd.DataFrame,
    summary: dict[str, Any],
    call: dict[str, Any],
    staffed: Scenario | None = None,
    force: bool = False,
    command: str | None = None,
    report: str | None = None,
) -> Path:
    """``call``: the API call that made the requirement, by its parameters (with ``seed`` and
    ``replications`` when it simulated); ``report``: the page to write as ``report.html``."""
    writers: Writers = {
        "requirements.csv": lambda p: table.to_csv(p, index=False),
        "summary.json": _text(json.dumps(summary, indent=2, allow_nan=False, ensure_ascii=False)),
    }
    if staffed is not None:
        plain = staffed.model_dump(mode="json", exclude_none=True)
        writers["staffed.yaml"] = _text(yaml.safe_dump(plain, sort_keys=False, allow_unicode=True))
    writers.update(report_writers(report))
    made = manifest(
        "staff",
        int(call.get("seed", summary.get("seed", 0))),
        int(call.get("replications", 0)),
        [str(summary["scenario"])],
        call=call,
        command=command,
        method=summary["method"],
    )
    made["files"] = sorted([*writers, "manifest.json"])
    writers["manifest.json"] = _text(json.dumps(made, indent=2, allow_nan=False))
    return write_directory(out, force, writers)


def _text(text: str) -> Writer:
    body = text if text.endswith("\n") else text + "\n"
    return lambda p: p.write_text(body, encoding="utf-8")
