"""Landmark cleaning, causal so live and recorded scoring give the same answer.

Three steps per frame: visibility gating (a landmark under ``min_visibility`` or outside
the frame is *unknown*, NaN), short-gap fill (an unknown landmark keeps its last value for
at most ``max_gap_s`` seconds, then becomes NaN), and One-Euro smoothing (adaptive low-pass:
steady when still, little lag when moving).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class FilterConfig:
    """Cleaning parameters. Cut-offs in Hz; ``beta`` per (pixel/s); gaps in seconds."""

    min_visibility: float = 0.5
    max_gap_s: float = 0.3
    min_cutoff_hz: float = 1.5
    beta: float = 0.01
    d_cutoff_hz: float = 1.0
    frame_margin_px: float = 2.0


def gate(xy: NDArray[np.float64], vis: NDArray[np.float64], width: int, height: int,
         cfg: FilterConfig) -> NDArray[np.float64]:
    """Return ``xy`` with unknown landmarks (low visibility or outside the frame) set to NaN."""
    m = cfg.frame_margin_px
    inside = (xy[:, 0] >= -m) & (xy[:, 0] <= width + m) & (xy[:, 1] >= -m) & (xy[:, 1] <= height + m)
    ok = (vis >= cfg.min_visibility) & inside
    return np.where(ok[:, None], xy, np.nan)


def _alpha(cutoff_hz: float, dt: float) -> float:
    """Smoothing factor of a first-order low-pass with the given cut-off for step ``dt``."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class LandmarkFilter:
    """Stateful per-session cleaner: call :meth:`step` once per frame in time order."""

    def __init__(self, width: int, height: int, cfg: FilterConfig | None = None) -> None:
        self.cfg = cfg or FilterConfig()
        self.width, self.height = width, height
        self._x: NDArray[np.float64] | None = None  # filtered positions (33, 2)
        self._dx: NDArray[np.float64] | None = None  # filtered speeds (33, 2), px/s
        self._last_seen = np.full(33, -np.inf)
        self._t: float | None = None

    def reset(self) -> None:
        """Forget all history (e.g. after a long gap or a user reset)."""
        self._x = self._dx = None
        self._last_seen[:] = -np.inf
        self._t = None

    def step(self, t: float, xy: NDArray[np.float64] | None, vis: NDArray[np.float64] | None) -> NDArray[np.float64]:
        """Clean one frame's landmarks; ``xy=None`` means no person. Returns (33, 2), NaN = unknown."""
        cfg = self.cfg
        raw = np.full((33, 2), np.nan) if xy is None or vis is None else gate(xy, vis, self.width, self.height, cfg)
        seen = ~np.isnan(raw).any(axis=1)
        if self._x is None or self._dx is None or self._t is None:
            self._x = raw.copy()
            self._dx = np.zeros((33, 2))
            self._last_seen[seen] = t
            self._t = t
            return raw.copy()
        dt = max(t - self._t, 1e-3)
        self._t = t
        prev, speeds = self._x, self._dx
        new = prev.copy()
        # Landmarks seen now after being unknown start afresh (no smoothing across a gap).
        restart = seen & np.isnan(prev).any(axis=1)
        new[restart] = raw[restart]
        speeds[restart] = 0.0
        track = seen & ~restart
        if track.any():
            dx = (raw[track] - prev[track]) / dt
            a_d = _alpha(cfg.d_cutoff_hz, dt)
            dx_hat = a_d * dx + (1 - a_d) * speeds[track]
            speed = np.linalg.norm(dx_hat, axis=1, keepdims=True)
            cutoff = cfg.min_cutoff_hz + cfg.beta * speed
            tau = 1.0 / (2.0 * math.pi * cutoff)
            a = 1.0 / (1.0 + tau / dt)
            new[track] = a * raw[track] + (1 - a) * prev[track]
            speeds[track] = dx_hat
        self._last_seen[seen] = t
        # Unseen: keep the last value for a short gap, then unknown.
        expired = ~seen & ((t - self._last_seen) > cfg.max_gap_s)
        new[expired] = np.nan
        self._x = new
        return new.copy()
