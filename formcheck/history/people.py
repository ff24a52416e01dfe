"""``formcheck history --by-person``: one line per person, and the overview page (``--html``).

Per person (sessions recorded with ``--person``): the last session, how many sessions in the last
7 and 28 days, per side the best good-form seconds of any session with its trend (the latest session
on that side minus the one before, seconds; + = more good-form time), and the left/right asymmetry
of the latest session with both sides (seconds of good form, the side with less named). The page
holds the same figures as a table with links to each person's latest report per exercise; it is one
file with its style inline, so it opens offline.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from formcheck.history.store import SideSummary

WINDOWS_DAYS = (7, 28)
SIDES = ("left", "right")


@dataclass(frozen=True)
class SideBest:
    """One side's best good-form seconds over all sessions and the latest change (None: one session only)."""

    side: str
    best_s: float
    trend_s: float | None


@dataclass(frozen=True)
class PersonSummary:
    """What the by-person table shows for one person (times are aware datetimes, UTC)."""

    person: str
    last: datetime
    recent: tuple[int, ...]  # sessions in each of :data:`WINDOWS_DAYS`
    sides: tuple[SideBest, ...]
    asymmetry_s: float | None  # latest session with both sides: left - right good-form seconds
    latest_reports: tuple[tuple[str, str], ...]  # (exercise, out_dir) of the latest session per exercise


def _side_best(rows: Sequence[SideSummary], side: str) -> SideBest | None:
    per_session: dict[int, float] = {}
    for r in rows:
        if r.side == side and r.good_form_s is not None:
            per_session[r.session_id] = max(per_session.get(r.session_id, 0.0), r.good_form_s)
    if not per_session:
        return None
    values = list(per_session.values())  # rows come oldest first
    trend = values[-1] - values[-2] if len(values) > 1 else None
    return SideBest(side, max(values), trend)


def _asymmetry(rows: Sequence[SideSummary]) -> float | None:
    by_session: dict[int, dict[str, float]] = {}
    for r in rows:
        if r.side in SIDES and r.good_form_s is not None:
            by_session.setdefault(r.session_id, {})[r.side] = r.good_form_s
    both = [s for s in by_session.values() if len(s) == 2]
    return both[-1]["left"] - both[-1]["right"] if both else None


def summarize_people(rows: Sequence[SideSummary], now: datetime | None = None) -> list[PersonSummary]:
    """One :class:`PersonSummary` per named person in ``rows`` (oldest first, as loaded), sorted by name;
    sessions without a person are left out."""
    now = now or datetime.now(timezone.utc)
    people: dict[str, list[SideSummary]] = {}
    for r in rows:
        if r.person is not None:
            people.setdefault(r.person, []).append(r)
    out = []
    for person in sorted(people, key=str.casefold):
        mine = people[person]
        when = {r.session_id: r.recorded_at for r in mine}
        latest: dict[str, str] = {}
        for r in mine:
            if r.out_dir:
                latest.pop(r.exercise, None)
                latest[r.exercise] = r.out_dir
        sides = tuple(b for b in (_side_best(mine, s) for s in SIDES) if b is not None)
        out.append(PersonSummary(person, max(when.values()),
                                 tuple(sum(t >= now - timedelta(days=d) for t in when.values()) for d in WINDOWS_DAYS),
                                 sides, _asymmetry(mine), tuple(latest.items())))
    return out


def _trend(b: SideBest) -> str:
    return "" if b.trend_s is None else f" ({b.trend_s:+.1f})"


def _asym_words(a: float | None) -> str:
    if a is None:
        return "-"
    if abs(a) < 0.05:
        return "even"
    return f"{'left' if a < 0 else 'right'} {abs(a):.1f} s less"


def _cells(p: PersonSummary) -> list[str]:
    best = {b.side: f"{b.best_s:.1f} s{_trend(b)}" for b in p.sides}
    return [p.person, p.last.astimezone().strftime("%Y-%m-%d %H:%M"), *(str(n) for n in p.recent),
            *(best.get(s, "-") for s in SIDES), _asym_words(p.asymmetry_s)]


HEADINGS = ("person", "last session", *(f"{d} d" for d in WINDOWS_DAYS), "best left s (trend)",
            "best right s (trend)", "asymmetry")


def format_people(people: Sequence[PersonSummary]) -> str:
    """The by-person table: aligned columns and a legend."""
    cells = [list(HEADINGS), *(_cells(p) for p in people)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADINGS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("7 d / 28 d: sessions in the last 7 / 28 days; best: the most good-form seconds of any session on "
                 "that side, (trend) the latest session minus the one before; asymmetry: good-form seconds in the "
                 "latest session with both sides")
    return "\n".join(lines)


def _link(out_dir: str, page: Path) -> str:
    """The href from ``page`` to ``out_dir/report.html`` (relative, URL-quoted: any name is text, not markup)."""
    target = Path(out_dir).resolve() / "report.html"
    try:
        rel = os.path.relpath(target, page.resolve().parent)
    except ValueError:  # another drive (Windows)
        return target.as_uri()
    return quote(Path(rel).as_posix())


STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
         "th,td{padding:.35em .8em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
         "th{background:#f3f3f3}td.num{text-align:right}a{margin-right:.6em}")


def render_overview(people: Sequence[PersonSummary], page: Path, when: datetime | None = None) -> str:
    """The overview page as a string: one row per person with links to their latest reports."""
    when = when or datetime.now()
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in (*HEADINGS, "latest reports"))
    rows = []
    for p in people:
        cells = _cells(p)
        links = "".join(f'<a href="{e(_link(d, page))}">{e(ex)}</a>' for ex, d in p.latest_reports) or "-"
        tds = "".join(f'<td class="num">{e(c)}</td>' if i in (2, 3) else f"<td>{e(c)}</td>"
                      for i, c in enumerate(cells))
        rows.append(f'<tr class="person">{tds}<td class="links">{links}</td></tr>')
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>formcheck — people</title><style>{STYLE}</style></head><body>"
            f"<h1>People</h1><p>{len(people)} people · written {when:%Y-%m-%d %H:%M}</p>"
            f"<table id=\"people\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "</body></html>\n")
