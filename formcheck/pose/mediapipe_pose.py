"""MediaPipe Pose (legacy solutions API, model complexity 1) as a :class:`PoseEstimator`.

Only ``mediapipe==0.10.21`` ships the pose model inside its wheel; complexity 1 is the one
that runs offline (0 and 2 try to download a file at start-up).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import cv2
import numpy as np

from formcheck.pose.base import PoseObservation


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the native library's start-up log lines (written straight to file descriptor 2)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class MediaPipePose:
    """Video-mode (tracking) MediaPipe Pose; ``segmentation`` adds the person mask."""

    def __init__(self, segmentation: bool = False, static_images: bool = False,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from mediapipe.python.solutions import pose as mp_pose  # slow import (~0.7 s): do it lazily

        self._segmentation = segmentation
        self._calls = 0
        with _native_stderr_silenced():
            self._pose = self._make(mp_pose, static_images, segmentation, min_detection_confidence,
                                    min_tracking_confidence)

    @staticmethod
    def _make(mp_pose, static_images: bool, segmentation: bool, det: float, trk: float):
        return mp_pose.Pose(
            static_image_mode=static_images,
            model_complexity=1,
            smooth_landmarks=True,
            enable_segmentation=segmentation,
            min_detection_confidence=det,
            min_tracking_confidence=trk,
        )

    def process(self, image_bgr: np.ndarray, t: float) -> PoseObservation | None:
        """Landmarks of the most prominent person in ``image_bgr``, or None when none is found."""
        h, w = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        if self._calls < 5:  # the first calls log graph set-up noise
            with _native_stderr_silenced():
                res = self._pose.process(rgb)
        else:
            res = self._pose.process(rgb)
        self._calls += 1
        if res.pose_landmarks is None:
            return None
        raw = np.array([(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark], dtype=float)
        xy = raw[:, :2] * np.array([w, h], dtype=float)
        mask = None
        if self._segmentation and res.segmentation_mask is not None:
            mask = np.asarray(res.segmentation_mask, dtype=np.float32)
        return PoseObservation(xy=xy, vis=raw[:, 3], z=raw[:, 2], mask=mask)

    def close(self) -> None:
        """Release the model's graph."""
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
