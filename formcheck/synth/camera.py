"""Pinhole camera for the synthetic renderer (world metres -> image pixels).

World frame: X to the right at zero yaw, Y up (floor at Y = 0), Z toward the default camera.
Image: pixel x to the right, y **down**, pixel centres at integer coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    """A pinhole camera orbiting a target point.

    ``yaw_deg``: rotation of the camera about the vertical through ``target``, degrees;
    0 looks along -Z (a pure side view of a person facing +-X); + moves the camera toward +X.
    ``pitch_deg``: + raises the camera so it looks down. ``distance``: metres from the target.
    ``fov_deg``: horizontal field of view. ``roll_deg``: + turns the image clockwise.
    """

    width: int = 640
    height: int = 480
    fov_deg: float = 58.0
    distance: float = 3.2
    yaw_deg: float = 0.0
    pitch_deg: float = 8.0
    roll_deg: float = 0.0
    target: tuple[float, float, float] = (0.0, 0.6, 0.0)

    @property
    def focal_px(self) -> float:
        """Focal length in pixels."""
        return 0.5 * self.width / math.tan(math.radians(self.fov_deg) / 2)

    @property
    def centre_px(self) -> tuple[float, float]:
        """Principal point (x, y) in pixels."""
        return (self.width - 1) / 2.0, (self.height - 1) / 2.0

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Camera position and unit (right, up, forward) vectors in world coordinates."""
        yaw, pitch = math.radians(self.yaw_deg), math.radians(self.pitch_deg)
        tgt = np.asarray(self.target, float)
        pos = tgt + self.distance * np.array(
            [math.sin(yaw) * math.cos(pitch), math.sin(pitch), math.cos(yaw) * math.cos(pitch)])
        fwd = (tgt - pos) / np.linalg.norm(tgt - pos)
        right = np.cross(fwd, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        if self.roll_deg:
            r = math.radians(self.roll_deg)
            right, up = math.cos(r) * right - math.sin(r) * up, math.sin(r) * right + math.cos(r) * up
        return pos, right, up, fwd

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project world points (..., 3) to pixels (..., 2) and depths (...) along the view axis (m).

        Points at depth <= 0 (behind the camera) come back as NaN pixels.
        """
        pos, right, up, fwd = self.basis()
        rel = np.asarray(pts, float) - pos
        z = rel @ fwd
        f = self.focal_px
        cx, cy = self.centre_px
        with np.errstate(invalid="ignore", divide="ignore"):
            x = cx + f * (rel @ right) / z
            y = cy - f * (rel @ up) / z
        xy = np.stack([x, y], axis=-1)
        xy[z <= 0] = np.nan
        return xy, z
