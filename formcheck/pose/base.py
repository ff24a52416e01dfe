"""The pose stage's output types (the pose, the back-outline measure) and the protocol any pose
backend implements: plain data, no OpenCV, no MediaPipe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class PoseObservation:
    """One detected person in one frame.

    ``xy``: (33, 2) landmark positions in pixels of the analysed frame (x right, y down).
    ``vis``: (33,) visibility 0..1 as the model reports it.
    ``z``: (33,) relative depth (MediaPipe scale: about image-width units, smaller = nearer).
    ``mask``: (H, W) float32 person probability 0..1, or None when segmentation is off.
    """

    xy: np.ndarray
    vis: np.ndarray
    z: np.ndarray
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class OutlineMeasure:
    """Back-outline measurement of one frame.

    Attributes:
        curvature: sagitta of the parabola fitted to the back outline over ``formcheck.pose.outline.WINDOW`` divided by
            trunk length (unitless). + = bowed toward the front of the body (lordotic hollow);
            posterior tilt lowers it. NaN when not measurable.
        angle_above_hip_deg: angle (degrees) between the back outline just above the hips and the
            trunk axis; + = the outline runs toward the front as it rises (low back curving in).
            NaN when not measurable.
        occluded: True when an arm point (hand, elbow, along the forearm or upper arm) lies on the
            traced back outline or behind it (within ``formcheck.pose.outline.OCCLUSION_DEPTH``
            trunk lengths in front of it): the arm may form the outline, so the two numbers above
            (still reported) must not be trusted. An arm hanging beside the trunk does not.
        reason: short human reason when the values are NaN or ``occluded``, else None.
    """

    curvature: float
    angle_above_hip_deg: float
    occluded: bool
    reason: str | None


class PoseEstimator(Protocol):
    """Anything that turns a BGR frame into a :class:`PoseObservation` (or None: no person)."""

    def process(self, image_bgr: np.ndarray, t: float) -> PoseObservation | None: ...

    def close(self) -> None: ...
