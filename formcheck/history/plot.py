"""The history trend plot: per exercise (columns) and side (lines), four figures over the sessions.

The x axis is the session number in time order (labelled with its local date and time), so
sessions minutes apart stay as readable as sessions days apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from formcheck.errors import InputError  # noqa: E402
from formcheck.history.store import SideSummary  # noqa: E402
from formcheck.media.outfiles import atomic_output  # noqa: E402

#: (attribute, y label) per plot row.
METRICS: tuple[tuple[str, str], ...] = (
    ("good_form_s", "good-form s\n(reps: mean s at top)"),
    ("peak_hip_ext_deg", "peak hip extension\nkneeling leg [deg]"),
    ("tilt_change_deg", "pelvic-tilt change [deg]\n+ = posterior (tucked)"),
    ("faults_per_min", "faults per minute"),
)
SIDE_COLORS = {"left": "#1f77b4", "right": "#d62728", "both": "#2ca02c"}


def plot_file(path: Path) -> Path:
    """The file the plot goes to: ``path`` with ``.png`` added when it has no suffix; a suffix matplotlib
    cannot write (``.txt``) is a one-line :class:`InputError` naming the ones it can."""
    if not path.suffix:
        return path.with_name(path.name + ".png")
    kinds = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    if path.suffix[1:].lower() not in kinds:
        raise InputError(f"{path}: cannot write a plot as '{path.suffix}' — use one of "
                         f"{', '.join('.' + k for k in sorted(kinds))} (e.g. --plot history.png)")
    return path


def plot_history(rows: Sequence[SideSummary], path: Path) -> None:
    """Write the trend plot PNG to ``path``; ``rows`` as from :func:`formcheck.history.store.load_history`."""
    rows = [r for r in rows if r.side is not None]
    exercises = list(dict.fromkeys(r.exercise for r in rows)) or ["(no sessions)"]
    fig, axes = plt.subplots(len(METRICS), len(exercises), figsize=(4.8 * len(exercises) + 1.4, 8.0),
                             sharex="col", squeeze=False)
    for col, exercise in enumerate(exercises):
        mine = [r for r in rows if r.exercise == exercise]
        number = {sid: i for i, sid in enumerate(dict.fromkeys(r.session_id for r in mine), 1)}  # x: session 1..N
        axes[0, col].set_title(exercise, fontsize=10)
        for row, (attr, label) in enumerate(METRICS):
            ax = axes[row, col]
            ax.grid(alpha=0.3)
            if col == 0:
                ax.set_ylabel(label, fontsize=8)
            ax.tick_params(labelsize=7)
            drawn, top = False, 0.0
            for side in dict.fromkeys(r.side for r in mine):
                assert side is not None  # rows without a side were dropped above
                pts = [(number[r.session_id], getattr(r, attr))
                       for r in mine if r.side == side and getattr(r, attr) is not None]
                if pts:
                    x, y = zip(*pts, strict=True)
                    ax.plot(x, y, marker="o", ms=4, lw=1.2, color=SIDE_COLORS.get(side, "#555555"), label=side)
                    drawn, top = True, max(top, *y)
            if attr == "good_form_s" and mine:
                ax.axhline(mine[-1].target_s, color="#777777", ls="--", lw=0.9, label="target")
                top = max(top, mine[-1].target_s)
            if attr in ("good_form_s", "faults_per_min") and drawn:  # counts and seconds: from zero
                ax.set_ylim(0, max(1.0, 1.1 * top))
            if attr == "tilt_change_deg" and drawn:
                ax.axhline(0.0, color="#777777", lw=0.6)
            if not drawn:
                ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center",
                        fontsize=8, color="#777777")
            if row == 0 and mine:
                ax.legend(fontsize=7, loc="best")
        labels = {number[r.session_id]: r.recorded_at.astimezone().strftime("%m-%d\n%H:%M") for r in mine}
        bottom = axes[-1, col]
        bottom.set_xlim(0.5, len(number) + 0.5)
        bottom.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        bottom.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos, lab=labels: lab.get(round(x), "")
                                                       if abs(x - round(x)) < 1e-6 else ""))
        bottom.set_xlabel("session (month-day, local time)", fontsize=8)
    fig.suptitle("formcheck history — best hold per side and session (local time)", fontsize=10)
    fig.tight_layout()
    try:
        with atomic_output(path) as tmp:
            fig.savefig(tmp, dpi=80, format=path.suffix[1:].lower() or "png")
    finally:
        plt.close(fig)
