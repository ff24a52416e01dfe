"""Back outline of a person mask between hip and shoulder level, and its lumbar curvature.

Ground-truth counterpart of the mask-based pelvic-tilt signal described in DESIGN.md
("Pelvic tilt"): applied to the renderer's exact silhouette it shows what the tilt parameter
does to the back outline. Pixel coordinates: x right, y down.
"""

from __future__ import annotations

import numpy as np


def back_outline(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: float,
                 n: int = 41, s_range: tuple[float, float] = (0.0, 0.8),
                 back_hint: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distance (pixels) from the hip->shoulder axis to the back edge of ``mask``.

    Samples ``n`` stations ``s`` (fraction of the hip->shoulder length, 0 = hip level) in
    ``s_range``; at each, walks from the axis toward the back and returns where the mask ends.
    The back is the perpendicular side away from ``facing`` (upright bodies) or, when given, the
    side ``back_hint`` (an image vector) points to (e.g. the floor side of a supine body).
    NaN where the walk starts outside the mask.
    """
    hip, shoulder = np.asarray(hip, float), np.asarray(shoulder, float)
    axis = shoulder - hip
    length = float(np.linalg.norm(axis))
    a = axis / length
    back = np.array([-a[1], a[0]])  # perpendicular; choose the side away from the facing direction
    if back_hint is not None:
        if float(np.dot(back, back_hint)) < 0:
            back = -back
    elif back[0] * facing > 0:
        back = -back
    s = np.linspace(s_range[0], s_range[1], n)
    steps = np.arange(0, int(0.6 * length) + 1, 0.5)
    pts = hip[None, None, :] + (s[:, None, None] * length) * a + steps[None, :, None] * back
    xi = np.clip(np.round(pts[..., 0]).astype(int), 0, mask.shape[1] - 1)
    yi = np.clip(np.round(pts[..., 1]).astype(int), 0, mask.shape[0] - 1)
    inside = mask[yi, xi].astype(bool)
    first_out = np.argmax(~inside, axis=1)  # first step outside the mask
    dist = steps[np.maximum(first_out - 1, 0)].astype(float)
    dist[~inside[:, 0]] = np.nan
    dist[inside.all(axis=1)] = np.nan
    return s, dist


def lumbar_curvature(mask: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, facing: float,
                     back_hint: np.ndarray | None = None) -> float:
    """Sagitta of a parabola fitted to the back outline, divided by the hip->shoulder length.

    Unitless; + when the outline is hollow (lordosis: the middle of the outline lies nearer the
    axis than its ends). Posterior pelvic tilt flattens the lumbar curve and lowers it.
    """
    s, dist = back_outline(mask, hip, shoulder, facing, back_hint=back_hint)
    ok = np.isfinite(dist)
    if ok.sum() < 8:
        return float("nan")
    span = s[ok].max() - s[ok].min()
    u = (s[ok] - s[ok].min()) / span
    a2 = np.polyfit(u, dist[ok], 2)[0]
    length = float(np.linalg.norm(np.asarray(shoulder, float) - np.asarray(hip, float)))
    return float(a2 / 4.0 / length)
