"""The README's Python examples run as written (a stale import path is a broken promise)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("k", range(len(BLOCKS)))
def test_readme_example_runs(k: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from callsim.policies import registry

    kinds = set(registry.kinds())
    monkeypatch.chdir(ROOT)
    code = BLOCKS[k].replace('Path("out")', f"Path({str(tmp_path / 'out')!r})")
    try:
        # dont_inherit: the example runs as a user's script would, without this file's
        # `from __future__ import annotations`.
        block = compile(code, f"README.md block {k + 1}", "exec", dont_inherit=True)
        exec(block, {"__name__": "readme"})
    finally:
        for kind in set(registry.kinds()) - kinds:
            registry.unregister(kind)
