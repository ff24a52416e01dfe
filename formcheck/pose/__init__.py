"""Pose: takes BGR frames, gives plain per-frame measurements — 33 landmarks in pixels
(:class:`PoseObservation`) and the back-outline measure from the person mask (:class:`OutlineMeasure`).
MediaPipe lives here and nowhere else; the worker process runs this stage over a span of video."""

from formcheck.pose.base import OutlineMeasure, PoseEstimator, PoseObservation

__all__ = ["OutlineMeasure", "PoseEstimator", "PoseObservation"]
