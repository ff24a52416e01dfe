"""``angles.png``: the judged signals over time, with each criterion's pass band and the holds shaded."""

from __future__ import annotations

from pathlib import Path

from formcheck.exercises.signal_registry import signal_units
from formcheck.judge.frame_log import signal_series, times
from formcheck.judge.session import SessionResult
from formcheck.media.outfiles import atomic_output


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend. Imported on first use (~0.3 s), so that
    scoring can pay for it while the pose model starts rather than before."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_angles(result: SessionResult, path: Path) -> None:
    """Write one panel per judged signal: value (relative ones as change from the hold's baseline
    are shown raw, with the band drawn around the first hold's baseline), pass bands, holds/reps."""
    spec = result.spec
    signals = list(dict.fromkeys(c.signal for c in (*spec.form, *spec.position)))
    if spec.reps:
        signals.insert(0, spec.reps.signal)
        signals = list(dict.fromkeys(signals))
    plt = pyplot()
    t = times(result.frames)
    fig, axes = plt.subplots(len(signals), 1, figsize=(10, 1.9 * len(signals) + 0.8), sharex=True, squeeze=False)
    for ax, sig in zip(axes[:, 0], signals, strict=True):
        v = signal_series(result.frames, sig)
        ax.plot(t, v, lw=1.2, color="#1f5fa8")
        ax.set_ylabel(f"{sig}\n[{signal_units(sig)}]", fontsize=8)
        ax.grid(alpha=0.3)
        for h in result.holds:
            ax.axvspan(h.start_s, h.end_s, color="#7fc97f", alpha=0.25, lw=0)
        for r in result.reps:
            ax.axvspan(r.start_s, r.end_s, color="#beaed4", alpha=0.3, lw=0)
        for c in (*spec.position, *spec.form):
            if c.signal != sig:
                continue
            style = dict(color="#d62728" if c.code else "#777777", lw=0.9, ls="--" if c.code else ":")
            if c.relative:
                continue  # bands relative to a per-hold baseline are listed in explain, not drawn
            for bound in (c.min, c.max):
                if bound is not None:
                    ax.axhline(bound, **style)
    axes[-1, 0].set_xlabel("time [s]")
    fig.suptitle(f"{spec.title}\ngreen = holds, purple = reps; dashed red = fault thresholds, "
                 "dotted grey = position limits", fontsize=9)
    fig.tight_layout()
    try:
        with atomic_output(path) as tmp:
            fig.savefig(tmp, dpi=90, format="png")
    finally:
        plt.close(fig)
