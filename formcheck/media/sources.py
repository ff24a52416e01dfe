"""Frame sources: a video file or a folder of images -> timestamped BGR frames.

Timestamps are seconds from the start of the source, taken from the video's own
presentation times (never frame index x nominal fps), so variable-frame-rate phone
videos and dropped frames are timed correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2

from formcheck.errors import InputError, NoUsableFramesError
from formcheck.media.frame import Frame, SourceInfo

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


def scale_to_fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    """Size (w, h) no larger than ``max_side`` pixels on the long side, aspect kept."""
    long_side = max(width, height)
    if max_side <= 0 or long_side <= max_side:
        return width, height
    s = max_side / long_side
    return max(2, round(width * s)), max(2, round(height * s))


class VideoFileSource:
    """Reads a video file with OpenCV; frames are optionally downscaled to ``max_side`` pixels."""

    def __init__(self, path: str | Path, max_side: int = 0) -> None:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{p}: file not found — check the path")
        if p.is_dir():
            raise InputError(f"{p}: is a folder — give a video file, or a folder of images with --images")
        if p.stat().st_size == 0:
            raise NoUsableFramesError(f"{p}: the file is empty (0 bytes) — record or copy the video again")
        cap = cv2.VideoCapture(str(p))
        if not cap.isOpened():
            cap.release()
            raise InputError(f"{p}: not a readable video (no decodable video stream: empty, truncated at the start, "
                             "or not a video) — use an mp4/mov/avi file")
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w <= 0 or h <= 0:
            cap.release()
            raise InputError(f"{p}: not a video (no picture size found) — use an mp4/mov/avi file")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        self._cap = cap
        self._size = scale_to_fit(w, h, max_side)
        self.info = SourceInfo(str(p), self._size[0], self._size[1], fps, count, "video")

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[Frame]:
        """Frames with ``start <= index < stop`` (to the end when ``stop`` is None).

        Frames before ``start`` are decoded and skipped rather than seeked to, so indices and
        timestamps are exactly those of a read from the beginning (container seeks can land on
        another frame). One pass only: the capture is released at the end.
        """
        cap = self._cap
        index = 0
        last_t = -1.0
        fps = self.info.fps if self.info.fps > 0 else 30.0
        try:
            while stop is None or index < stop:
                if not cap.grab():
                    break
                t = float(cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0
                # Some containers report no PTS (0 for every frame): fall back to the
                # nominal rate only then, and never let time run backwards.
                if t <= last_t:
                    t = last_t + 1.0 / fps if index > 0 else 0.0
                last_t = t
                if index >= start:
                    ok, img = cap.retrieve()
                    if not ok or img is None:
                        break
                    if (img.shape[1], img.shape[0]) != self._size:
                        img = cv2.resize(img, self._size, interpolation=cv2.INTER_AREA)
                    yield Frame(index, t, img)
                index += 1
        finally:
            cap.release()
        claimed = self.info.frame_count
        if claimed and index < min(claimed - 1, stop if stop is not None else claimed):
            self.info.decode_errors.append(
                f"decoding stopped after {index} of {claimed} frames (truncated or corrupt file); "
                "the rest of the video was not scored"
            )


class ImageFolderSource:
    """Images in a folder, in name order, spaced ``1 / fps`` seconds apart."""

    def __init__(self, folder: str | Path, fps: float = 30.0, max_side: int = 0) -> None:
        d = Path(folder)
        if not d.is_dir():
            raise InputError(f"{d}: not a folder of images")
        files = sorted(f for f in d.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise NoUsableFramesError(f"{d}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        first = cv2.imread(str(files[0]))
        if first is None:
            raise InputError(f"{files[0]}: not a readable image")
        self._files = files
        self._max_side = max_side
        w, h = scale_to_fit(first.shape[1], first.shape[0], max_side)
        self.info = SourceInfo(str(d), w, h, fps, len(files), "images")

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[Frame]:
        """Images with ``start <= index < stop`` (to the last when ``stop`` is None)."""
        size = (self.info.width, self.info.height)
        for i, f in enumerate(self._files[start:stop], start):
            img = cv2.imread(str(f))
            if img is None:
                self.info.decode_errors.append(f"{f.name}: not a readable image; skipped")
                continue
            if (img.shape[1], img.shape[0]) != size:
                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            yield Frame(i, i / self.info.fps, img)


def open_source(path: str | Path, max_side: int = 0) -> VideoFileSource | ImageFolderSource:
    """Open a video file, or a folder of images, as a frame source."""
    p = Path(path)
    if p.is_dir():
        return ImageFolderSource(p, max_side=max_side)
    return VideoFileSource(p, max_side=max_side)
