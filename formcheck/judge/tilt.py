"""Pelvic tilt from the back-outline curvature: the change from the person's own neutral, and a
rough conversion to degrees. Pure numpy over per-frame curvature (see :mod:`formcheck.pose.outline`
for how the curvature is measured, and its sign: posterior tilt lowers it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Calibration: change in curvature per degree of posterior pelvic tilt (unitless per degree).
#: Source: the posable-pelvis renderer measured with MediaPipe's own mask, about -0.025 per
#: +10 deg (per-view slopes about -0.018..-0.030 per 10 deg over side, +-30 deg oblique, other
#: clothes). The real supine clip gives -0.016 per tilt rep, whose size in degrees is not known
#: (consistent with ~5-8 deg reps). Treat degrees derived from it as uncertain by about +-50%.
CURVATURE_PER_POSTERIOR_DEG: float = -0.0025


def tilt_change(
    curvature: NDArray[np.float64], t: NDArray[np.float64], baseline_window: tuple[float, float]
) -> NDArray[np.float64]:
    """Curvature change from the baseline: ``curvature - median(curvature over the window)``.

    Args:
        curvature: (N,) per-frame curvature (unitless); put NaN on frames not to trust
            (occluded, missing) so they stay out of the baseline.
        t: (N,) frame times in seconds.
        baseline_window: (start, end) seconds, inclusive; e.g. ~1 s of stable set-up starting
            at least 0.5 s after tracking began.

    Returns:
        (N,) change, unitless; negative = flatter back than baseline (posterior tilt / tucked),
        positive = more hollow (arching). All NaN if the window holds no finite value.
    """
    c = np.asarray(curvature, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    sel = (t >= baseline_window[0]) & (t <= baseline_window[1]) & np.isfinite(c)
    if not sel.any():
        return np.full_like(c, np.nan)
    return c - float(np.median(c[sel]))


def rolling_baseline(
    curvature: NDArray[np.float64], t: NDArray[np.float64], *, window_s: float = 3.5, percentile: float = 90.0,
    min_count: int = 10,
) -> NDArray[np.float64]:
    """Rolling neutral level for reps: a high percentile of the curvature over the last ``window_s``.

    Posterior tilt lowers curvature, so the person's neutral between reps sits near the top of
    the recent range. Causal (uses frames with ``t_i - window_s < t <= t_i`` only), so it works
    live. NaN frames are ignored; NaN where fewer than ``min_count`` finite frames are in the window.

    Returns:
        (N,) baseline curvature, unitless; ``curvature - rolling_baseline(...)`` is the change.
    """
    c = np.asarray(curvature, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    out = np.full_like(c, np.nan)
    lo = 0
    for i in range(len(c)):
        while t[lo] <= t[i] - window_s:
            lo += 1
        seg = c[lo:i + 1]
        seg = seg[np.isfinite(seg)]
        if seg.size >= min_count:
            out[i] = np.percentile(seg, percentile)
    return out


def posterior_tilt_deg(change: NDArray[np.float64] | float) -> NDArray[np.float64] | float:
    """Rough posterior pelvic tilt (degrees, + = posterior / tucked) from a curvature change.

    Uses :data:`CURVATURE_PER_POSTERIOR_DEG` (renderer calibration); uncertain by about +-50%.
    """
    return np.asarray(change, dtype=np.float64) / CURVATURE_PER_POSTERIOR_DEG
