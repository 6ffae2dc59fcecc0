"""One HTML page: styles and every chart's data inline, plotly.js from ``plotly.min.js`` beside
it (one copy for a folder of reports, :mod:`callsim.store.plotly_file`) or inlined too for a
single file to mail; either way it opens offline and loads nothing from the network.

Every piece of text passes through ``render``: strings are escaped unless they are ``Html``
(markup this module built from escaped parts). Scenario, plan, group and product names are the
planner's own text and may hold ``<``, ``&`` or quotes.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterable, Sequence

import plotly.io as pio
import yaml

from callsim.measure.confidence import MIN_REPLICATIONS_FOR_CI
from callsim.report.charts import Chart, narrow_titles
from callsim.report.i18n import ZH_LOCALE, Words
from callsim.store.plotly_file import SCRIPT_TAG


class Html(str):
    """Markup that is safe to place in the page as it is."""

    __slots__ = ()


Content = Html | str | int | float


def render(content: Content) -> str:
    if isinstance(content, Html):
        return str(content)
    return html.escape(str(content), quote=True)


def tag(name: str, content: Content | Iterable[Content] = "", **attrs: object) -> Html:
    """An element; attribute names use ``_`` for ``-`` and a trailing ``_`` for keywords."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        parts.append(attr if value is True else f'{attr}="{html.escape(str(value), quote=True)}"')
    if isinstance(content, (str, int, float)):
        inner = render(content)
    else:
        inner = "".join(render(c) for c in content)
    return Html(f"<{' '.join(parts)}>{inner}</{name}>")


def join(parts: Iterable[Content]) -> Html:
    return Html("".join(render(p) for p in parts))


def script_json(data: str) -> str:
    """JSON that cannot end its ``<script>`` element early. plotly already writes ``<`` as
    ``\\u003c``; this does not rely on it, so ``</script>`` in a name can never break out."""
    return (
        data.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def figure(chart: Chart) -> Html:
    """A chart's ``<figure>``: its heading, an empty plot box and its data as inert JSON; the
    page's one script draws it. ``data-chart`` is the marker the browser test looks for. A
    chart with a layout for narrow boxes carries it as ``narrow_layout``: its own, or its only
    layout with the axis titles wrapped for a phone."""
    spec = pio.to_json(chart.figure, validate=False, pretty=False)
    parsed = json.loads(spec)
    if chart.narrow is None:
        narrow = copy.deepcopy(parsed["layout"])
    else:
        narrow = json.loads(pio.to_json(chart.narrow, validate=False))["layout"]
    if narrow_titles(narrow) or chart.narrow is not None:
        parsed["narrow_layout"] = narrow
        spec = json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
    data = script_json(spec)
    body = [
        tag("h3", chart.title),
        Html(f'<div class="plot" id="plot-{html.escape(chart.name)}"></div>'),
        Html(f'<script type="application/json" class="chart-data">{data}</script>'),
    ]
    if chart.note:
        body.append(tag("figcaption", chart.note))
    return tag(
        "figure",
        body,
        class_="chart wide" if chart.wide else "chart",
        id=f"chart-{chart.name}",
        data_chart=chart.name,
    )


def charts(items: Sequence[Chart]) -> Html:
    return tag("div", [figure(c) for c in items], class_="charts")


def section(heading: str, *content: Content, id_: str | None = None) -> Html:
    return tag("section", [tag("h2", heading), *content], id=id_)


def paragraph(text: Content, class_: str | None = None) -> Html:
    return tag("p", text, class_=class_)


def table(
    head: Sequence[Content],
    rows: Iterable[Sequence[Content | Html]],
    *,
    class_: str = "",
    row_classes: Sequence[str] | None = None,
    text_columns: int = 1,
) -> Html:
    """A plain table; numbers align right, the first ``text_columns`` (names) left. Cells that
    need a class or span come in as ``Html`` built with ``cell``."""
    header = tag(
        "tr",
        [
            tag("th", heading(h), class_="name" if k < text_columns else None)
            for k, h in enumerate(head)
        ],
    )
    body = []
    for k, row in enumerate(rows):
        cells = [c if _is_cell(c) else tag("td", c) for c in row]
        cls = row_classes[k] if row_classes else None
        body.append(tag("tr", cells, class_=cls or None))
    return tag(
        "div",
        tag("table", [tag("thead", header), tag("tbody", body)], class_=class_ or None),
        class_="table-wrap",
    )


GLOSS = re.compile(r"^(?P<name>[^(\uff08]+?)(?P<gap> ?)(?P<gloss>[(\uff08].+[)\uff09])$")
"""A column heading's trailing definition in brackets, "Net contribution (value over 1 year of
the day's sales − the day's staff cost, CNY)", in ASCII or full-width (Chinese) brackets."""


def heading(text: Content) -> Content | list[Content]:
    """A column heading with its definition in brackets set small under the name: in a column a
    number wide, a definition as bold as the name made a heading six lines tall on a phone."""
    found = GLOSS.match(text) if isinstance(text, str) else None
    if found is None:
        return text
    return [found["name"], found["gap"], tag("span", found["gloss"], class_="gloss")]


def cell(content: Content | Iterable[Content], **attrs: object) -> Html:
    """A ``<td>`` with attributes (a class, a rowspan), for ``table``."""
    return tag("td", content, **attrs)


def _is_cell(content: object) -> bool:
    return isinstance(content, Html) and content.startswith(("<td", "<th"))


def with_ci(value: str, interval: str) -> Html:
    """A value over its interval, in one cell."""
    return join([value, tag("span", interval, class_="ci")])


def card(label: str, value: str, detail: Sequence[Content] = (), *, kpi: str = "") -> Html:
    return tag(
        "div",
        [tag("div", label, class_="label"), tag("div", value, class_="value")]
        + [tag("div", d, class_="detail") for d in detail],
        class_="card",
        data_kpi=kpi or None,
    )


def badge(text: str, kind: str) -> Html:
    return tag("span", text, class_=f"badge badge-{kind.replace(' ', '-')}", data_verdict=kind)


def scenario_yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def details(summary: str, text: str) -> Html:
    """Collapsed raw text (a scenario's YAML), escaped like everything else."""
    return tag("details", [tag("summary", summary), tag("pre", tag("code", text))])


def few_replications(words: Words, replications: int) -> list[Html]:
    """A warning to read first when the intervals (and the verdicts drawn from them) rest on too
    few replications to mean much; nothing otherwise."""
    if replications >= MIN_REPLICATIONS_FOR_CI:
        return []
    text = words["few_replications"].format(n=replications, min=MIN_REPLICATIONS_FOR_CI)
    return [tag("p", text, class_="warning", id="few-replications")]


def provenance(words: Words, version: str, seed: int, replications: int, created: str) -> Html:
    items: list[tuple[str, Content]] = [
        (words["version"], version),
        (words["seed"], seed),
        (words["replications"], replications),
        (words["created"], created or "–"),
    ]
    return tag(
        "footer",
        [
            tag("h2", words["provenance"]),
            tag("dl", [join([tag("dt", k), tag("dd", v)]) for k, v in items]),
        ],
        id="provenance",
    )


PLOTLY_CONFIG = {"displaylogo": False, "scrollZoom": False}
"""Not plotly's ``responsive``: the page redraws a chart itself when its box changes width
(``RENDER``), also to switch layouts and refit the legend."""

NARROW_PX = 600
"""Plot boxes narrower than this (a phone held upright) draw a chart's narrow layout, if it has
one. An assumption: at 600 px three small multiples in a row get under 200 px each, too
little for their axis labels."""

RENDER = """
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("plot-setup").textContent);
  if (setup.locale) { Plotly.register(setup.locale); }
  function layoutFor(box, spec) {
    var narrow = Boolean(spec.narrow_layout) && box.clientWidth < setup.narrow_px;
    var layout = narrow ? spec.narrow_layout : spec.layout;
    return {narrow: narrow, layout: JSON.parse(JSON.stringify(layout))};
  }
  // The legend sits at the foot of the figure; the figure grows by its height, so a legend
  // wrapped onto many rows (a phone, many plans) gets room of its own instead of the plot's.
  function fit(box, base) {
    var legend = box.querySelector(".legend");
    var height = base + (legend ? Math.ceil(legend.getBoundingClientRect().height) : 0);
    if (Math.abs(height - box.layout.height) < 2) { return Promise.resolve(); }
    return Plotly.relayout(box, {height: height});
  }
  // Draw for the box's width, and again until the width drawn for is the box's: plotly
  // measures the box once, and the page may settle at another width (a scroll bar comes, a
  // phone is turned, a window resized).
  function draw(box, spec, drawn) {
    var chosen = layoutFor(box, spec);
    var width = box.clientWidth;
    var plotted = drawn && drawn.narrow === chosen.narrow
      ? Plotly.Plots.resize(box)
      : Plotly.react(box, spec.data, chosen.layout, setup.config);
    return plotted.then(function () { return fit(box, chosen.layout.height); }).then(function () {
      var now = {narrow: chosen.narrow, width: width};
      return box.clientWidth === width ? now : draw(box, spec, now);
    });
  }
  var pending = [];
  document.querySelectorAll("figure[data-chart]").forEach(function (fig) {
    try {
      var spec = JSON.parse(fig.querySelector("script.chart-data").textContent);
      var box = fig.querySelector(".plot");
      var state = null;
      pending.push(draw(box, spec, null).then(function (drawn) {
        state = drawn;
        fig.setAttribute("data-rendered", "true");
        new ResizeObserver(function () {
          if (state === null || box.clientWidth === state.width) { return; }
          var before = state;
          state = null;  // one redraw at a time; it draws again if the width moved meanwhile
          draw(box, spec, before).then(function (drawn) { state = drawn; });
        }).observe(box);
      }, function (err) { fig.setAttribute("data-error", String(err)); }));
    } catch (err) {
      fig.setAttribute("data-error", String(err));
    }
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute("data-rendered", "true");
  });
})();
"""

STYLE = """
:root { --ink: #212529; --muted: #6c757d; --line: #dee2e6; --soft: #f8f9fa; --accent: #1f6feb; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); padding-bottom: 12px; }
header .kind { color: var(--muted); text-transform: uppercase; letter-spacing: .06em;
  font-size: 12px; margin: 0; }
h1 { margin: 4px 0 6px; font-size: 26px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 32px 0 10px; }
h3 { font-size: 15px; margin: 0 0 6px; }
p.lead { color: var(--muted); margin: 0; }
p.note, figcaption { color: var(--muted); font-size: 13px; }
p.warning { margin: 16px 0 0; padding: 8px 12px; border-left: 4px solid #f08c00;
  background: #fff4e6; font-size: 14px; }
p.verdict { margin: 16px 0 0; padding: 10px 14px; font-size: 17px; font-weight: 600;
  border-left: 5px solid #868e96; background: var(--soft); overflow-wrap: anywhere; }
p.verdict-met { border-color: #2f9e44; background: #ebfbee; }
p.verdict-missed { border-color: #c92a2a; background: #fff5f5; }
p.verdict-inconclusive { border-color: #f08c00; background: #fff4e6; }
td.status-met { color: #2b8a3e; font-weight: 600; }
td.status-close { color: #e8590c; font-weight: 600; }
td.status-short { color: #c92a2a; font-weight: 600; }
table.intervals td { white-space: nowrap; }
.goal { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 12px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fff; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 24px; font-weight: 600; margin: 2px 0; }
.card .detail { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px;
  font-weight: 600; color: #fff; background: #868e96; white-space: nowrap; }
/* The goal line's badge may hold a sentence (a schedule's status): it wraps on a phone. */
.goal .badge { white-space: normal; border-radius: 12px; }
.badge-met, .badge-better { background: #2f9e44; }
.badge-missed, .badge-worse { background: #c92a2a; }
.badge-inconclusive { background: #f08c00; }
.badge-higher, .badge-lower { background: #1f6feb; }
.badge-baseline { background: #495057; }
.badge-no-significant-difference { background: #adb5bd; color: #212529; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px;
  min-width: 0; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart[data-error]::after { content: attr(data-error); color: #c92a2a; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: right;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; vertical-align: bottom; }
th .gloss { display: block; font-size: 11px; font-weight: 400; color: var(--muted); }
th:first-child, td:first-child, th.name, td.name { text-align: left; }
td.name { overflow-wrap: break-word; min-width: 8em; max-width: 340px; }
td.flag { text-align: center; color: var(--accent); font-weight: 700; }
td .ci { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
tr.group-head td { background: var(--soft); font-weight: 600; text-align: left; }
tr.best td { background: #ebfbee; font-weight: 600; }
tr.short td { background: #fff5f5; }
tr.frontier td:first-child { border-left: 3px solid var(--accent); }
.slice td { white-space: nowrap; }
table.requirement td, table.shifts td, table.coverage td, table.rounds td,
table.candidates td { white-space: nowrap; }
td.verdict-better { background: #ebfbee; }
td.verdict-worse { background: #fff5f5; }
td.verdict-higher, td.verdict-lower { background: #e7f5ff; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
summary { cursor: pointer; font-weight: 600; }
pre { overflow-x: auto; font-size: 12px; background: var(--soft); padding: 10px; }
footer { margin-top: 32px; padding-bottom: 40px; border-top: 1px solid var(--line); }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px;
  font-size: 13px; }
footer dt { color: var(--muted); }
footer dd { margin: 0; }
.plot { width: 100%; }
@media (max-width: 640px) {
  .charts { grid-template-columns: 1fr; }
  header, main, footer { padding-left: 14px; padding-right: 14px; }
  h1 { font-size: 21px; }
  .cards { grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
  figure.chart { padding: 8px; }
}
@media print { .charts { grid-template-columns: 1fr; } figure.chart { break-inside: avoid; } }
"""


def page(
    *,
    kind: str,
    words: Words,
    kind_title: str,
    title: str,
    lead: Content,
    body: Sequence[Content],
    footer: Html,
) -> str:
    """The whole document. plotly.js is loaded once, after the content, so text shows at once
    and every chart's data is in place when the one drawing script runs; it is loaded from
    beside the page, until ``plotly_file.inline`` puts it in the page."""
    config: dict[str, object] = {**PLOTLY_CONFIG}
    setup: dict[str, object] = {"config": config, "locale": None, "narrow_px": NARROW_PX}
    if words.lang == "zh":
        config["locale"] = "zh-CN"
        setup["locale"] = ZH_LOCALE
    doc_title = f"{kind_title} — {title}"
    head = join(
        [
            Html('<meta charset="utf-8">'),
            Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            tag("title", doc_title),
            Html(f"<style>{STYLE}</style>"),
        ]
    )
    header = tag(
        "header",
        [tag("p", kind_title, class_="kind"), tag("h1", title), tag("p", lead, class_="lead")],
    )
    scripts = join(
        [
            Html(
                '<script type="application/json" id="plot-setup">'
                f"{script_json(json.dumps(setup, ensure_ascii=False))}</script>"
            ),
            Html(SCRIPT_TAG),
            Html(f'<script type="text/javascript">{RENDER}</script>'),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{words.html_lang}">\n<head>{head}</head>\n'
        f'<body data-report="{html.escape(kind)}" data-lang="{words.lang}">\n'
        f"{header}\n{tag('main', body)}\n{footer}\n{scripts}\n</body>\n</html>\n"
    )
