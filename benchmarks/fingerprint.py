"""Fingerprints of every bundled plan's results, to show a speed-up changed no number.

Each plan of ``scenarios/*.yaml`` and ``scenarios/policies/*.yaml`` (variants included) runs a
few replications on one worker; the call table's columns and ``per_replication`` are hashed.
Run it before and after a change and compare the two outputs (``diff``): any difference is a
change of results, not of speed.

    python benchmarks/fingerprint.py > before.txt
    python benchmarks/fingerprint.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

import callsim
from callsim.scenario.files import load_plans

ROOT = Path(__file__).resolve().parent.parent / "scenarios"


def digest(frame: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for name in frame.columns:
        h.update(str(name).encode())
        h.update(np.ascontiguousarray(frame[name].to_numpy()).tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replications", type=int, default=3, help="per plan (default 3)")
    args = p.parse_args()
    for path in sorted(ROOT.glob("*.yaml")) + sorted((ROOT / "policies").glob("*.yaml")):
        for name, plan in load_plans(path).items():
            result = callsim.simulate(
                plan, replications=args.replications, workers=1, keep_calls=True
            )
            assert result.calls is not None
            label = f"{path.relative_to(ROOT)} :: {name}"
            print(f"{label:<60} calls {digest(result.calls)} kpis {digest(result.per_replication)}")


if __name__ == "__main__":
    main()
