"""The pose stage's output type and the protocol any pose backend implements."""

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


class PoseEstimator(Protocol):
    """Anything that turns a BGR frame into a :class:`PoseObservation` (or None: no person)."""

    def process(self, image_bgr: np.ndarray, t: float) -> PoseObservation | None: ...

    def close(self) -> None: ...
