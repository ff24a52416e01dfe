"""The history trend plot: per exercise (columns) and side (lines), four figures over the sessions' dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from formcheck.history import SideSummary  # noqa: E402

#: (attribute, y label) per plot row.
METRICS: tuple[tuple[str, str], ...] = (
    ("good_form_s", "good-form s\n(reps: mean s at top)"),
    ("peak_hip_ext_deg", "peak hip extension\nkneeling leg [deg]"),
    ("tilt_change_deg", "pelvic-tilt change [deg]\n+ = posterior (tucked)"),
    ("faults_per_min", "faults per minute"),
)
#: The shortest time span the x axis shows.
MIN_SPAN = timedelta(hours=2)
SIDE_COLORS = {"left": "#1f77b4", "right": "#d62728", "both": "#2ca02c"}


def plot_history(rows: Sequence[SideSummary], path: Path) -> None:
    """Write the trend plot PNG to ``path``; ``rows`` as from :func:`formcheck.history.load_history`."""
    rows = [r for r in rows if r.side is not None]
    exercises = list(dict.fromkeys(r.exercise for r in rows)) or ["(no sessions)"]
    fig, axes = plt.subplots(len(METRICS), len(exercises), figsize=(4.6 * len(exercises) + 1.2, 8.0),
                             sharex="col", squeeze=False)
    for col, exercise in enumerate(exercises):
        mine = [r for r in rows if r.exercise == exercise]
        axes[0, col].set_title(exercise, fontsize=10)
        for row, (attr, label) in enumerate(METRICS):
            ax = axes[row, col]
            ax.grid(alpha=0.3)
            if col == 0:
                ax.set_ylabel(label, fontsize=8)
            ax.tick_params(labelsize=7)
            drawn = False
            for side in dict.fromkeys(r.side for r in mine):
                pts = [(r.recorded_at.astimezone().replace(tzinfo=None), getattr(r, attr))
                       for r in mine if r.side == side and getattr(r, attr) is not None]
                if pts:
                    x, y = zip(*pts, strict=True)
                    ax.plot(x, y, marker="o", ms=4, lw=1.2, color=SIDE_COLORS.get(side, "#555555"), label=side)
                    drawn = True
            if attr == "good_form_s" and mine:
                ax.axhline(mine[-1].target_s, color="#777777", ls="--", lw=0.9, label="target")
            if attr in ("good_form_s", "faults_per_min") and drawn:
                ax.set_ylim(bottom=0)
            if attr == "tilt_change_deg" and drawn:
                ax.axhline(0.0, color="#777777", lw=0.6)
            if not drawn:
                ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center",
                        fontsize=8, color="#777777")
            if row == 0 and mine:
                ax.legend(fontsize=7, loc="best")
        bottom = axes[-1, col]
        times = [r.recorded_at.astimezone().replace(tzinfo=None) for r in mine]
        if times and max(times) - min(times) < MIN_SPAN:  # sessions minutes apart: widen so the axis has ticks
            mid = min(times) + (max(times) - min(times)) / 2
            bottom.set_xlim(mid - MIN_SPAN / 2, mid + MIN_SPAN / 2)
        locator = mdates.AutoDateLocator(maxticks=5)
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    fig.suptitle("formcheck history — best hold per side and session (local time)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
