"""Writing the annotated video: one place that chooses the codec and opens the file."""

from __future__ import annotations

from pathlib import Path

import cv2

from formcheck.errors import InputError

DEFAULT_FPS = 30.0  # used when the source does not say its frame rate


def open_video_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """Open ``path`` for writing BGR frames of ``size`` (width, height) pixels at ``fps`` frames per second."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps if fps > 0 else DEFAULT_FPS, size)
    if not writer.isOpened():
        raise InputError(f"{path}: cannot write the annotated video here — choose another --out folder")
    return writer
