"""Ctrl-C and SIGTERM stop a run: workers terminated, one line, exit 130, nothing written.

The old pool kept running every queued replication after the first Ctrl-C, deadlocked on the
second and left workers burning CPU after SIGTERM. A real ``callsim run`` subprocess with two
workers is interrupted once its workers are busy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

COMMAND = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from callsim.cli import main; main()"
)
"""``callsim`` as a terminal's foreground job starts it, with Ctrl-C heard: started from a job in
the background (a CI runner, ``nohup``), this test and its children inherit an ignored SIGINT,
and the run then rightly carries on through the Ctrl-C this test sends."""


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_its_workers_and_writes_nothing(how: str, tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.Popen(
        [sys.executable, "-c", COMMAND, "run", "-r", "2000", "-w", "2", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as a terminal's job
    )
    try:
        workers: list[int] = []
        for _ in range(600):  # until both workers run (a guard against hanging, not a timing)
            workers = _children(proc.pid)
            if len(workers) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert len(workers) >= 2, "the run never started its workers"
        time.sleep(0.5)  # a replication or two under way
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # the terminal signals the whole group
        else:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip() and "Simulating" not in line]
    assert lines[-1].startswith("interrupted after "), err
    assert "of 2000 replications; nothing written" in lines[-1]
    assert "Traceback" not in err
    assert not out.exists()
    assert not any(p.name.startswith(".results") for p in tmp_path.iterdir())
    assert not [w for w in workers if _alive(w)], "a worker outlived the run"
