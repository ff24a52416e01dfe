"""Pose estimation: MediaPipe backend and the plain observation type it produces."""

from formcheck.pose.base import PoseEstimator, PoseObservation

__all__ = ["PoseEstimator", "PoseObservation"]
