"""The per-frame work that needs pixels: MediaPipe Pose (or any :class:`PoseEstimator`) and the
back-outline measure taken from the person mask, turned into small plain records for the judging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from formcheck.media.frame import Frame
from formcheck.pose.base import OutlineMeasure, PoseEstimator, PoseObservation

OutlineFn = Callable[[np.ndarray, np.ndarray, np.ndarray], OutlineMeasure]


@dataclass(frozen=True)
class PoseRecord:
    """What the judging needs from one frame's pixels.

    ``obs``: the pose without its mask (None: no person). ``outline``: the back-outline measure
    from the mask when the exercise needs it (None otherwise or with no person). ``image``: the
    analysed BGR frame, only when pose runs in the process that draws (``analyse(keep_images=True)``);
    records from a worker process never carry it (the receiver decodes its own copy: cheaper).
    """

    index: int
    t: float
    obs: PoseObservation | None
    outline: OutlineMeasure | None = None
    image: np.ndarray | None = None


def observe(frame: Frame, estimator: PoseEstimator, outline_fn: OutlineFn | None,
            keep_image: bool = False) -> PoseRecord:
    """Pose of one frame, and its back-outline measure when ``outline_fn`` is given and the model
    returned a mask. The mask is dropped from the record once measured: it is the one large
    per-frame array."""
    obs = estimator.process(frame.image, frame.t)
    outline = None
    if obs is not None and obs.mask is not None:
        if outline_fn is not None:
            outline = outline_fn(obs.mask, obs.xy, obs.vis)
        obs = replace(obs, mask=None)
    return PoseRecord(frame.index, frame.t, obs, outline, frame.image if keep_image else None)


def analyse(frames: Iterable[Frame], estimator: PoseEstimator, outline_fn: OutlineFn | None,
            report_from: int = 0, keep_images: bool = False) -> Iterator[PoseRecord]:
    """Pose (and outline, when ``outline_fn`` is given and the model returns a mask) per frame.

    Frames with ``index < report_from`` only warm the model up and are not yielded. The mask is
    dropped from the record once measured: it is the one large per-frame array.
    """
    for f in frames:
        if f.index < report_from:
            estimator.process(f.image, f.t)
            continue
        yield observe(f, estimator, outline_fn, keep_images)
