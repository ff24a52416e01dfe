"""formcheck: check stretching form from a camera with MediaPipe Pose."""

__version__ = "0.1.0"
