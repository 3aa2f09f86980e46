"""Reports of eval runs: JUnit XML for CI, and one self-contained HTML page with tables and plots.

The plots are inline SVG (no script, no network), so the page opens anywhere, including an offline browser.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from rightfit.evals.gate import Check
from rightfit.evals.run import Run

PALETTE = ("#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#495057")


@dataclass(frozen=True, slots=True)
class Point:
    series: str  # one colour per series (a task, or a run)
    label: str  # shown beside the point (a rung, or a suite)
    x: float
    y: float


def junit_checks(checks: Sequence[Check]) -> str:
    """One test case per gate check, grouped by suite."""
    root = ET.Element("testsuites", name="rightfit eval gate", tests=str(len(checks)),
                      failures=str(sum(not c.passed for c in checks)))
    for suite in dict.fromkeys(c.suite for c in checks):
        mine = [c for c in checks if c.suite == suite]
        node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(mine)),
                             failures=str(sum(not c.passed for c in mine)), errors="0", skipped="0")
        for c in mine:
            case = ET.SubElement(node, "testcase", classname=f"rightfit.{suite}", name=f"{c.metric} {c.kind}",
                                 time="0")
            ET.SubElement(case, "system-out").text = f"{c.value.text('.4g')}; held to {c.limit}"
            if not c.passed:
                ET.SubElement(case, "failure", message=c.message, type=c.kind).text = c.message
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def junit_items(run: Run) -> str:
    """One test case per eval item (its first repeat), grouped by suite."""
    root = ET.Element("testsuites", name="rightfit eval run")
    total = failed = 0
    for name, suite in run.suites.items():
        items = [r for r in suite.items if r.repeat == 0]
        bad = sum(not r.passed for r in items)
        total, failed = total + len(items), failed + bad
        node = ET.SubElement(root, "testsuite", name=name, tests=str(len(items)), failures=str(bad), errors="0",
                             skipped="0", time=f"{sum(r.latency_ms for r in items) / 1000:.3f}")
        for r in items:
            case = ET.SubElement(node, "testcase", classname=f"rightfit.{name}", name=r.id,
                                 time=f"{r.latency_ms / 1000:.3f}")
            if not r.passed:
                ET.SubElement(case, "failure", message=r.detail[:300] or "failed").text = r.detail
    root.set("tests", str(total))
    root.set("failures", str(failed))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def scatter_svg(title: str, x_label: str, y_label: str, points: Sequence[Point], *, log_x: bool = True) -> str:
    """A labelled scatter plot as inline SVG; x on a log scale by default (latency and cost span decades)."""
    w, h, left, right, top, bottom = 560, 340, 64, 150, 34, 48
    finite = [p for p in points if math.isfinite(p.x) and math.isfinite(p.y) and (p.x > 0 or not log_x)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" class="plot"><title>{html.escape(title)}</title>',
           f'<text x="{left}" y="20" font-weight="bold">{html.escape(title)}</text>']
    if not finite:
        out.append(f'<text x="{left}" y="{h // 2}">no data</text></svg>')
        return "".join(out)
    fx = (math.log10) if log_x else (lambda v: v)
    xs, ys = [fx(p.x) for p in finite], [p.y for p in finite]
    x0, x1 = min(xs), max(xs)
    pad = (x1 - x0) * 0.08 or 0.5
    x0, x1 = x0 - pad, x1 + pad
    y0, y1 = min(0.0, *ys), max(1.0, *ys)
    pw, ph = w - left - right, h - top - bottom

    def sx(v: float) -> float:
        return left + (fx(v) - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (1 - (v - y0) / (y1 - y0)) * ph

    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#adb5bd"/>')
    for k in range(6):  # y grid
        v = y0 + (y1 - y0) * k / 5
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#f1f3f5"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.2f}</text>')
    for k in range(5):  # x ticks
        t = x0 + (x1 - x0) * k / 4
        v = 10 ** t if log_x else t
        px = left + (t - x0) / (x1 - x0) * pw
        out.append(f'<text x="{px:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="11">{v:.3g}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 8}" text-anchor="middle" font-size="12">'
               f'{html.escape(x_label)}{" (log scale)" if log_x else ""}</text>'
               f'<text x="14" y="{top + ph / 2}" transform="rotate(-90 14 {top + ph / 2})" text-anchor="middle" '
               f'font-size="12">{html.escape(y_label)}</text>')
    series = list(dict.fromkeys(p.series for p in finite))
    for p in finite:
        colour = PALETTE[series.index(p.series) % len(PALETTE)]
        out.append(f'<circle class="point" cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="5" fill="{colour}">'
                   f'<title>{html.escape(f"{p.series} / {p.label}: {p.y:.3f} at {p.x:.4g}")}</title></circle>'
                   f'<text x="{sx(p.x) + 7:.1f}" y="{sy(p.y) - 6:.1f}" font-size="10">{html.escape(p.label)}</text>')
    for k, name in enumerate(series):  # legend
        y = top + 12 + k * 16
        out.append(f'<circle cx="{left + pw + 16}" cy="{y}" r="5" fill="{PALETTE[k % len(PALETTE)]}"/>'
                   f'<text x="{left + pw + 26}" y="{y + 4}" font-size="11">{html.escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def money(value: float, currency: str) -> str:
    """Money per million requests: one request on a CPU costs a tiny fraction of a cent."""
    return "-" if not math.isfinite(value) else f"{value * 1e6:.3g} {currency}/1M"


def _suite_table(run: Run) -> str:
    rows = []
    for name, suite in run.suites.items():
        m = suite.metrics
        quality = "; ".join(f"{k} {m[k].text()}" for k in suite.quality_metrics() if k in m)
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{len({r.id for r in suite.items})}</td>"
                    f"<td>{html.escape(quality)}</td><td>{m['p50_ms'].value:.0f} / {m['p95_ms'].value:.0f} / "
                    f"{m['p99_ms'].value:.0f}</td><td>{money(m['cost_per_request'].value, run.currency)}</td>"
                    f"<td>{money(m['cost_per_resolved'].value, run.currency)}</td></tr>")
    return ("<table><tr><th>suite</th><th>items</th><th>quality [95% interval]</th><th>latency p50/p95/p99 ms</th>"
            "<th>cost per request</th><th>cost per resolved</th></tr>" + "".join(rows) + "</table>")


def _failures(run: Run, limit: int = 50) -> str:
    rows = [(n, r) for n, s in run.suites.items() for r in s.items if not r.passed][:limit]
    if not rows:
        return "<p>No failed items.</p>"
    return ("<table><tr><th>suite</th><th>item</th><th>why</th></tr>" + "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(r.id)}</td><td>{html.escape(r.detail[:400])}</td></tr>"
        for n, r in rows) + "</table>")


def _checks_table(checks: Sequence[Check]) -> str:
    return ("<table><tr><th>suite</th><th>metric</th><th>check</th><th>value [interval]</th><th>held to</th>"
            "<th>result</th></tr>" + "".join(
                f'<tr class="{"pass" if c.passed else "fail"}"><td>{html.escape(c.suite)}</td>'
                f"<td>{html.escape(c.metric)}</td><td>{c.kind}</td><td>{html.escape(c.value.text('.4g'))}</td>"
                f"<td>{html.escape(c.limit)}</td><td>{'PASS' if c.passed else 'FAIL: ' + html.escape(c.message)}"
                "</td></tr>" for c in checks) + "</table>")


STYLE = """body{font:14px system-ui,sans-serif;margin:24px;color:#212529;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f8f9fa}tr.fail td{background:#fff5f5}tr.pass td:last-child{color:#2b8a3e}
.plots{display:flex;flex-wrap:wrap;gap:16px}.meta{color:#495057}"""


def html_report(title: str, runs: Mapping[str, Run], *, checks: Sequence[Check] = (),
                plots: Sequence[str] = (), extra: str = "") -> str:
    """A whole page: gate checks (if any), plots, then each run's suite table and failed items."""
    if not plots:  # default plots: each suite's pass rate against its p95 latency and cost, one colour per run
        pts_latency = [Point(label, name, s.metrics["p95_ms"].value, s.metrics["pass_rate"].value)
                       for label, run in runs.items() for name, s in run.suites.items()]
        pts_cost = [Point(label, name, s.metrics["cost_per_resolved"].value * 1e6, s.metrics["pass_rate"].value)
                    for label, run in runs.items() for name, s in run.suites.items()]
        currency = next(iter(runs.values())).currency if runs else ""
        plots = [scatter_svg("Quality against p95 latency", "p95 latency (ms)", "pass rate", pts_latency),
                 scatter_svg("Quality against cost", f"cost per 1M resolved requests ({currency})", "pass rate",
                             pts_cost)]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"]
    if checks:
        failed = sum(not c.passed for c in checks)
        parts.append(f"<h2>Gate: {'FAILED' if failed else 'passed'} ({failed} of {len(checks)} checks failed)</h2>"
                     + _checks_table(checks))
    parts.append(extra)
    parts.append("<h2>Plots</h2><div class='plots'>" + "".join(plots) + "</div>")
    for label, run in runs.items():
        config = ", ".join(f"{k} = {v}" for k, v in run.configuration.items())
        parts.append(f"<h2>{html.escape(label)}</h2><p class='meta'>{html.escape(run.hardware)}<br>"
                     f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(run.created))}; {html.escape(config)}</p>"
                     + _suite_table(run) + "<h3>Failed items</h3>" + _failures(run))
    parts.append("</body></html>")
    return "".join(parts)
