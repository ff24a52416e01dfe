"""What ``formcheck history`` shows: a table with one line per session and side (local time), and the plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from formcheck.history.store import SideSummary, load_history, open_history, parse_since, resolve_db_path

COLUMNS = ("date", "exercise", "side", "good form s / target", "peak hip ext", "tilt change", "faults/min", "score")


def _num(x: float | None, fmt: str, unit: str = "") -> str:
    return "-" if x is None else f"{x:{fmt}}{unit}"


def _good_form(r: SideSummary) -> str:
    if r.side is None:
        return "no hold or rep found"
    mark = " ok" if r.target_reached else ""
    if r.reps:
        return f"{r.reps} reps, top {r.good_form_s:.1f} / {r.target_s:g}{mark}"
    return f"{r.good_form_s:.1f} / {r.target_s:g}{mark}"


PARTIAL_MARK = "partial"
PARTIAL_LEGEND = (f"{PARTIAL_MARK}: the run was stopped before the end of its video (Ctrl-C, a signal or an error); "
                  "its figures cover only the part scored")


def history_rows(rows: Sequence[SideSummary]) -> list[tuple[str, ...]]:
    """Table cells per row: local date and time, then the figures with units (``-`` = not measured);
    the score of a partial run is followed by :data:`PARTIAL_MARK`."""
    return [(r.recorded_at.astimezone().strftime("%Y-%m-%d %H:%M"), r.exercise, r.side or "-", _good_form(r),
             _num(r.peak_hip_ext_deg, "+.1f", " deg"), _num(r.tilt_change_deg, "+.1f", " deg"),
             _num(r.faults_per_min, ".1f"), f"{r.score:.0f}" + (f" {PARTIAL_MARK}" if r.partial else ""))
            for r in rows]


def asymmetry_lines(rows: Sequence[SideSummary]) -> list[str]:
    """Per exercise, the latest peak hip extension of each side and their difference (deg): one side is
    often tighter than the other. Nothing when a side has never been measured."""
    latest: dict[str, dict[str, float]] = {}
    for r in sorted(rows, key=lambda r: r.recorded_at):
        if r.side in ("left", "right") and r.peak_hip_ext_deg is not None:
            latest.setdefault(r.exercise, {})[r.side] = r.peak_hip_ext_deg
    out = []
    for exercise, by_side in latest.items():
        if len(by_side) == 2:
            left, right = by_side["left"], by_side["right"]
            tighter = "left" if left < right else "right"
            out.append(f"{exercise}: peak hip extension, latest per side: left {left:+.1f} deg, right {right:+.1f} deg "
                       f"({tighter} {abs(left - right):.1f} deg less: the tighter side)")
    return out


def format_history(rows: Sequence[SideSummary]) -> str:
    """A plain-text table with aligned columns and a legend line for signs and units."""
    cells = [COLUMNS, *history_rows(rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["good form: the best hold's good-form seconds on that side (reps: mean seconds at the top); "
              "ok = target reached",
              "peak hip ext: kneeling leg, + = thigh behind the trunk; tilt change: pelvis from your neutral, "
              "+ = posterior (tucked)"]
    if any(r.partial for r in rows):
        lines.append(PARTIAL_LEGEND)
    return "\n".join(lines + asymmetry_lines(rows))


def show_history(db: Path | None, exercise: str | None, since: str | None, plot: Path,
                 person: str | None = None) -> str:
    """Read the history (``since`` a YYYY-MM-DD local date; ``person``: only that person's sessions),
    write the trend plot to ``plot`` and return the text to print: the table and the plot's path, or a
    sentence saying there is nothing to show. A missing database is not created. ``plot`` without a
    suffix gets ``.png`` (the path printed is the file written)."""
    from formcheck.history.plot import plot_file, plot_history

    start = parse_since(since) if since is not None else None
    plot = plot_file(plot)
    path = resolve_db_path(db)
    if not path.exists():
        return f"no sessions recorded yet: {path} does not exist (`formcheck score` records each session)"
    conn = open_history(path)
    try:
        rows = load_history(conn, exercise, start, person)
    finally:
        conn.close()
    if not rows:
        which = (f" of {exercise}" if exercise else "") + (f" since {since}" if since else "") + \
            (f" for {person}" if person is not None else "")
        return f"no sessions{which} recorded in {path}"
    plot_history(rows, plot)  # a file that cannot be written: OutputError, exit 7
    return f"{format_history(rows)}\nhistory: {path}\nwrote {plot}"


def show_people(db: Path | None, exercise: str | None, since: str | None, page: Path | None = None) -> str:
    """The by-person table (see :mod:`formcheck.history.people`) of the sessions recorded with a person,
    and with ``page`` the overview page written there (atomically); a missing database is not created."""
    from formcheck.history.people import format_people, render_overview, summarize_people
    from formcheck.media.outfiles import write_text_atomic

    start = parse_since(since) if since is not None else None
    path = resolve_db_path(db)
    if not path.exists():
        return f"no sessions recorded yet: {path} does not exist (`formcheck score` records each session)"
    conn = open_history(path)
    try:
        people = summarize_people(load_history(conn, exercise, start))
    finally:
        conn.close()
    if not people:
        return f"no sessions with a person recorded in {path} (record them with --person NAME)"
    text = f"{format_people(people)}\nhistory: {path}"
    if page is not None:
        write_text_atomic(page, render_overview(people, page))
        text += f"\nwrote {page}"
    return text
