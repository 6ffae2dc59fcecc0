"""Report pages: their size on disk, and the time Chromium takes to draw every chart, against a
bare plotly page with one chart loaded the same way in the same run.

    python benchmarks/bench_report.py                     # run, compare and sweep pages
    python benchmarks/bench_report.py --screenshots docs  # also docs/report-run-{en,zh}.png

Sizes are of ``report.html`` as the results directory holds it (plotly.js beside it, in
``plotly.min.js``) and as one self-contained file (``callsim report DIR --single-file``). The
render time runs from navigation to ``body[data-rendered='true']`` (every chart drawn), best
of ``--repeats``; the bare page sets the same marker when its one chart is drawn, so the ratio
is the price of the report's own charts and data. The script prints figures; it never fails
on a time limit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from callsim.cli.commands import app
from callsim.store.plotly_file import PLOTLY_FILE, SCRIPT_TAG

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BARE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div id="plot" style="width:900px"></div>
{SCRIPT_TAG}
<script>
Plotly.newPlot("plot", [{{x: [1, 2, 3], y: [2, 1, 3], type: "scatter"}}]).then(function () {{
  document.body.setAttribute("data-rendered", "true");
}});
</script></body></html>
"""
SCREENSHOT_PX = 2300
"""How much of the run page the screenshots show from the top: the goal sentence, the cards
and the first per-interval charts (staffing against the requirement, the service level)."""


def cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"callsim {' '.join(args)} failed:\n{result.output}")


def make_pages(folder: Path, replications: int) -> dict[str, Path]:
    """A run of the bundled line, a comparison of the threshold policy's variants and a sweep
    of its staffing, as the CLI writes them; and the bare page beside a copy of plotly.js."""
    r = ["-r", str(replications), "-w", "1"]
    cli("run", "credit_card_hotline", *r, "--out", str(folder / "run"))
    cli("report", str(folder / "run"), "--lang", "zh")
    shutil.copytree(folder / "run", folder / "run-zh")
    cli("report", str(folder / "run"), "--lang", "en")
    cli(
        "compare",
        str(SCENARIOS / "policies" / "threshold.yaml"),
        *r,
        "--out",
        str(folder / "compare"),
    )
    sweep = ["--param", "agents.scale=0.9,1.0,1.1"]
    cli("sweep", "credit_card_hotline", *r, *sweep, "--out", str(folder / "sweep"))
    bare = folder / "bare"
    bare.mkdir()
    shutil.copy(folder / "run" / PLOTLY_FILE, bare / PLOTLY_FILE)
    (bare / "report.html").write_text(BARE, encoding="utf-8")
    return {
        "bare": bare / "report.html",
        "run": folder / "run" / "report.html",
        "run-zh": folder / "run-zh" / "report.html",
        "compare": folder / "compare" / "report.html",
        "sweep": folder / "sweep" / "report.html",
    }


def sizes(pages: dict[str, Path], folder: Path) -> dict[str, dict[str, int]]:
    out = {}
    for kind in ("run", "compare", "sweep"):
        single = folder / f"{kind}-single"
        shutil.copytree(pages[kind].parent, single)
        cli("report", str(single), "--single-file")
        out[kind] = {
            "shared_bytes": pages[kind].stat().st_size,
            "single_file_bytes": (single / "report.html").stat().st_size,
            "plotly_bytes": (pages[kind].parent / PLOTLY_FILE).stat().st_size,
        }
    return out


def render_times(pages: dict[str, Path], repeats: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    best: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(repeats):
            for kind in ("bare", "run", "compare", "sweep"):  # alternately, best of repeats
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                start = time.perf_counter()
                page.goto(pages[kind].as_uri())
                page.wait_for_selector("body[data-rendered='true']", timeout=120_000)
                took = time.perf_counter() - start
                best[kind] = min(best.get(kind, took), took)
                page.close()
        browser.close()
    return best


def screenshots(pages: dict[str, Path], target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for lang, key in (("en", "run"), ("zh", "run-zh")):
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(pages[key].as_uri())
            page.wait_for_selector("body[data-rendered='true']", timeout=120_000)
            height = min(SCREENSHOT_PX, page.evaluate("document.body.scrollHeight"))
            path = target / f"report-run-{lang}.png"
            clip = {"x": 0, "y": 0, "width": 1440, "height": height}
            page.screenshot(path=str(path), full_page=True, clip=clip)
            made.append(path)
            page.close()
        browser.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--screenshots", type=Path, help="write the run page's screenshots here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = make_pages(folder, args.replications)
        size = sizes(pages, folder)
        times = render_times(pages, args.repeats)
        print("page      report.html   single file   plotly.min.js")
        for kind, s in size.items():
            shared, single, plotly = (
                s[k] / 1e6 for k in ("shared_bytes", "single_file_bytes", "plotly_bytes")
            )
            print(f"{kind:<8} {shared:>8.2f} MB {single:>10.2f} MB {plotly:>10.2f} MB")
        print("\npage      every chart drawn   against the bare plotly page")
        for kind, t in times.items():
            print(f"{kind:<8} {t:>10.2f} s {t / times['bare']:>16.1f}x")
        if args.screenshots:
            for path in screenshots(pages, args.screenshots):
                print(f"screenshot: {path}")
        if args.json:
            args.json.write_text(json.dumps({"sizes": size, "render_s": times}, indent=2))


if __name__ == "__main__":
    main()
