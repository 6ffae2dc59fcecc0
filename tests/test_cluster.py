"""Runs on Dask: a LocalCluster of two workers gives the results of one local worker, bit for
bit, for runs, comparisons and runs to a precision; without Dask, ``--cluster`` is one line.

The tests that need Dask skip when the optional extra (``callsim[cluster]``) is missing, unless
``CALLSIM_REQUIRE_DASK`` is set (CI installs the extra and sets it), when they fail.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from test_interrupt import COMMAND as FOREGROUND_CLI
from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.errors import UserError
from callsim.experiment.chunks import MAX_CHUNK, chunks
from callsim.experiment.cluster import Cluster, connect
from callsim.experiment.compare import compare
from callsim.experiment.pool import Interrupted
from callsim.experiment.results import SimulationResult
from callsim.experiment.runner import simulate
from callsim.scenario.files import load_plans

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FRAMES = ("summary", "per_replication", "intervals", "agents", "replication_sums")


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        if os.environ.get("CALLSIM_REQUIRE_DASK"):
            raise RuntimeError("CALLSIM_REQUIRE_DASK is set but Dask is not installed") from None
        pytest.skip('Dask is not installed (pip install "callsim[cluster]")')
    return distributed


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """One LocalCluster of two one-thread workers for the module (it takes seconds to start)."""
    _dask()
    with connect("local:2") as opened:
        yield opened


def assert_same(a: SimulationResult, b: SimulationResult) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    for kind, table in a.slices.items():
        pd.testing.assert_frame_equal(table, b.slices[kind], check_exact=True)
    assert a.precision == b.precision


def test_a_local_cluster_of_two_gives_the_results_of_one_worker(cluster: Cluster) -> None:
    seen: list[tuple[int, int]] = []
    on_dask = simulate(
        SMALL, replications=24, seed=3, cluster=cluster, progress=lambda d, t: seen.append((d, t))
    )
    assert_same(on_dask, simulate(SMALL, replications=24, seed=3, workers=1))
    assert cluster.threads() == 2
    # Progress streams in chunks (4 per worker thread: 3 replications each), up to the total.
    assert len(seen) == 8
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (24, 24)


def test_staffing_by_simulation_on_the_cluster_equals_the_local_one(cluster: Cluster) -> None:
    from callsim.planning.isa import isa_requirement
    from callsim.scenario.files import load_scenario

    scenario = load_scenario(SMALL)
    local = isa_requirement(scenario, replications=3, seed=4, workers=1, max_iterations=3)
    remote = isa_requirement(scenario, replications=3, seed=4, cluster=cluster, max_iterations=3)
    pd.testing.assert_frame_equal(local.table, remote.table)
    assert local.history == remote.history


def test_results_come_back_in_the_tasks_order(cluster: Cluster) -> None:
    """The first chunks are the slowest, so they finish last; the results keep their places."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    tasks = [(k, 0.4 if k < 2 else 0.0) for k in range(16)]
    order: list[int] = []
    assert cluster.run(_slow_echo, tasks, lambda d, t: order.append(d)) == list(range(16))
    assert order[-1] == 16


def _slow_echo(k: int, delay: float) -> int:
    time.sleep(delay)
    return k


def test_a_comparison_on_the_cluster_equals_the_local_one(cluster: Cluster) -> None:
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    six = [{"start": "08:00", "end": "10:00", "count": 6}]
    data["variants"] = {"six agents": {"agents": {"groups": {"team": {"shifts": six}}}}}
    plans = load_plans(data)
    local = compare(plans, replications=6, seed=2, workers=1)
    on_dask = compare(plans, replications=6, seed=2, cluster=cluster)
    pd.testing.assert_frame_equal(on_dask.table, local.table, check_exact=True)
    for name, result in local.results.items():
        assert_same(on_dask.results[name], result)


def test_a_run_to_a_precision_on_the_cluster_uses_the_same_replications(
    cluster: Cluster,
) -> None:
    args: dict[str, Any] = {
        "replications": 5,
        "seed": 5,
        "precision": {"service_level": 0.04},
        "max_replications": 100,
    }
    on_dask = simulate(SMALL, cluster=cluster, **args)
    local = simulate(SMALL, workers=1, **args)
    assert on_dask.precision is not None and len(on_dask.precision.batches) > 1
    assert_same(on_dask, local)


def test_the_command_line_runs_on_a_local_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dask()
    monkeypatch.chdir(tmp_path)
    args = ["run", str(SMALL), "-r", "6", "--json"]
    on_dask = runner.invoke(app, [*args, "--cluster", "local:2"])
    assert on_dask.exit_code == 0, on_dask.output
    assert "Dask cluster local:2: 2 worker thread(s)" in on_dask.stderr
    local = runner.invoke(app, [*args, "-w", "1"])
    kpis = json.loads(on_dask.stdout)["kpis"]
    assert kpis == json.loads(local.stdout)["kpis"]


@pytest.mark.slow  # waits for the connection timeout
def test_an_unreachable_scheduler_is_a_one_line_error() -> None:
    _dask()
    result = runner.invoke(app, ["run", str(SMALL), "--cluster", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    lines = ANSI.sub("", result.stderr).strip().splitlines()
    assert len(lines) == 1 and "--cluster: cannot reach a Dask scheduler" in lines[0]


# -- without Dask, and what never needs it ------------------------------------------------------


def test_without_dask_cluster_is_a_one_line_error_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = runner.invoke(app, ["run", str(SMALL), "--cluster", "local:2"])
    assert result.exit_code == 2
    lines = ANSI.sub("", result.stderr).strip().splitlines()
    install = 'pip install "callsim[cluster]"'
    assert lines == [f"error: --cluster: Dask is not installed; install the extra with: {install}"]
    with pytest.raises(UserError, match=re.escape('pip install "callsim[cluster]"')):
        simulate(SMALL, cluster="local:2")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--cluster", "local:0"], "--cluster: expected local:N with N ≥ 1 workers"),
        (["--cluster", "local"], "--cluster: expected local:N"),
        (["--cluster", "local:2", "-w", "2"], "--workers and --cluster exclude each other"),
    ],
)
def test_bad_cluster_options_are_one_line_errors(args: list[str], fragment: str) -> None:
    result = runner.invoke(app, ["run", str(SMALL), *args])
    assert result.exit_code == 2
    lines = ANSI.sub("", result.stderr).strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_importing_the_command_line_does_not_import_dask() -> None:
    code = (
        "import sys, callsim.cli, callsim.experiment.runner\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
@pytest.mark.parametrize("tasks", [1, 7, 20, 24, 1000, 1001])
def test_chunks_cover_the_tasks_in_even_shares(tasks: int, threads: int) -> None:
    parts = chunks(tasks, threads)
    assert [k for part in parts for k in part] == list(range(tasks))
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 1 and max(sizes) <= MAX_CHUNK
    # Four chunks a thread, as long as there are tasks enough and no chunk grows past the cap.
    assert len(parts) == max(min(tasks, 4 * threads), -(-tasks // MAX_CHUNK))


# -- Ctrl-C ---------------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def _spawned(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ctrl_c_cancels_the_chunks_and_closes_the_local_cluster() -> None:
    """In a notebook the process lives on: the LocalCluster callsim started must not."""
    _dask()
    before = set(_descendants(os.getpid()))
    started: list[set[int]] = []

    def ctrl_c(done: int, total: int) -> None:
        # the worker processes (not the resource tracker, which lives as long as this process)
        started.append({p for p in set(_descendants(os.getpid())) - before if _spawned(p)})
        raise KeyboardInterrupt  # as Ctrl-C would, once the first chunk is back

    with pytest.raises(Interrupted) as info:
        simulate(SMALL, replications=2000, cluster="local:2", progress=ctrl_c)
    assert info.value.total == 2000 and 0 < info.value.done < 2000
    assert len(started[0]) >= 2, "no worker processes"
    for _ in range(400):  # the workers are stopping; wait for the last (a guard, not a timing)
        left = [w for w in started[0] if _alive(w)]
        if not left:
            break
        time.sleep(0.05)
    assert not left, "a worker outlived the interrupted run"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_an_interrupted_cluster_run_closes_its_local_cluster(how: str, tmp_path: Path) -> None:
    _dask()
    out = tmp_path / "results"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FOREGROUND_CLI,
            *("run", "-r", "2000", "--cluster", "local:2", "--out", str(out)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group, as a terminal's job
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # until the cluster is up and the run begins
            if line.startswith("Dask cluster local:2"):
                break
        workers = _descendants(proc.pid)
        assert len(workers) >= 2, "the run never started its workers"
        time.sleep(2)  # chunks under way
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
    assert len(lines) == 1 and lines[0].startswith("interrupted after "), err
    assert "of 2000 replications; nothing written" in lines[-1]
    assert "Traceback" not in err and "ERROR" not in err, err
    assert not out.exists()
    for _ in range(400):  # the workers are dying; wait for the last (a guard, not a timing)
        left = [w for w in workers if _alive(w)]
        if not left:
            break
        time.sleep(0.05)
    assert not left, "a worker outlived the run"
