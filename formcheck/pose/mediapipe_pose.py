"""MediaPipe Pose (legacy solutions API, model complexity 1) as a :class:`PoseEstimator`.

Only ``mediapipe==0.10.21`` ships the pose model inside its wheel; complexity 1 is the one
that runs offline (0 and 2 try to download a file at start-up).

Frames skipped by an analysis rate (``--rate``): the legacy API clocks every call 1/30 s after
the one before, and the pose graph smooths each landmark's visibility per call (a low-pass with
``MP_VISIBILITY_ALPHA``). Given the source's frame rate, :class:`MediaPipePose` advances the
graph's clock by the source frames since the last call, and brings the visibility up to date as
if the graph had seen the skipped frames (their raw visibility taken as this frame's), so a
visibility ramp reaches the 0.5 gate at the same second as when every frame is analysed (one call
per source frame gives exactly the graph's own output).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import cv2
import numpy as np

from formcheck.pose.base import PoseObservation

MP_FRAME_US = 33333  # the legacy API's clock step per call (it assumes 30 fps)
# The pose graph's visibility low-pass per call (VisibilitySmoothingCalculator, low_pass_filter alpha
# in mediapipe/modules/pose_landmark/pose_landmark_filtering.pbtxt of mediapipe 0.10.21).
MP_VISIBILITY_ALPHA = 0.1


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
    """Video-mode (tracking) MediaPipe Pose; ``segmentation`` adds the person mask.

    ``source_fps``: the frame rate of the source the frames come from, so frames skipped between
    calls (an analysis rate) are accounted for as the module docstring says; None: every call is
    taken as the next frame.
    """

    def __init__(self, segmentation: bool = False, static_images: bool = False,
                 min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 source_fps: float | None = None) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from mediapipe.python.solutions import pose as mp_pose  # slow import (~0.7 s): do it lazily

        self._segmentation = segmentation
        self._calls = 0
        self._frame_s = 1.0 / source_fps if source_fps and source_fps > 0 else None
        self._last_t: float | None = None
        self._graph_vis: np.ndarray | None = None  # the graph's last smoothed visibility
        self._vis: np.ndarray | None = None  # the same, as if every source frame had been seen
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
        steps = self._source_frames_since_last(t)
        if steps > 1 and hasattr(self._pose, "_simulated_timestamp"):
            self._pose._simulated_timestamp += (steps - 1) * MP_FRAME_US
        if self._calls < 5:  # the first calls log graph set-up noise
            with _native_stderr_silenced():
                res = self._pose.process(rgb)
        else:
            res = self._pose.process(rgb)
        self._calls += 1
        if res.pose_landmarks is None:
            self._graph_vis = self._vis = None  # the graph starts its smoothing afresh on the next person
            return None
        raw = np.array([(p.x, p.y, p.z, p.visibility) for p in res.pose_landmarks.landmark], dtype=float)
        xy = raw[:, :2] * np.array([w, h], dtype=float)
        mask = None
        if self._segmentation and res.segmentation_mask is not None:
            mask = np.asarray(res.segmentation_mask, dtype=np.float32)
        return PoseObservation(xy=xy, vis=self._visibility(raw[:, 3], steps), z=raw[:, 2], mask=mask)

    def _source_frames_since_last(self, t: float) -> int:
        """Source frames from the last call to the frame at ``t`` s (1 without a known source rate)."""
        last, self._last_t = self._last_t, t
        if self._frame_s is None or last is None:
            return 1
        return max(1, round((t - last) / self._frame_s))

    def _visibility(self, graph_vis: np.ndarray, steps: int) -> np.ndarray:
        """The graph's smoothed visibility brought up to date over ``steps`` source frames: its raw
        value this call (undoing the one low-pass step the graph took) low-passed ``steps`` times."""
        prev_graph, prev = self._graph_vis, self._vis
        self._graph_vis = graph_vis
        if prev_graph is None or prev is None:
            self._vis = graph_vis
            return graph_vis
        a = MP_VISIBILITY_ALPHA
        raw = np.clip((graph_vis - (1 - a) * prev_graph) / a, 0.0, 1.0)
        keep = (1 - a) ** steps
        self._vis = np.clip((1 - keep) * raw + keep * prev, 0.0, 1.0)
        return self._vis

    def close(self) -> None:
        """Release the model's graph."""
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
