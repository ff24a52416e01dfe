"""Looking inside written video files for tests: codec via the bundled ffmpeg, mp4 box order, frames."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import cv2
import numpy as np


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def video_stream_line(path: Path) -> str:
    """The ``Stream ... Video: ...`` line ffmpeg prints for ``path`` (there is no ffprobe in the wheel)."""
    err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    lines = [ln.strip() for ln in err.splitlines() if "Video:" in ln]
    assert lines, err
    return lines[0]


def video_codec_and_size(path: Path) -> tuple[str, str, tuple[int, int]]:
    """(codec, pixel format, (width, height)) as ffmpeg reads them."""
    line = video_stream_line(path)
    codec = re.search(r"Video: (\w+)", line).group(1)
    pix = re.search(r"Video: [^,]+, (\w+)", line).group(1)
    w, h = re.search(r", (\d+)x(\d+)", line).groups()
    return codec, pix, (int(w), int(h))


def top_level_boxes(path: Path) -> list[str]:
    """Types of the mp4 file's top-level boxes, in file order."""
    data = path.read_bytes()
    out, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8:pos + 16])[0]
        out.append(kind.decode("latin-1"))
        if size < 8:
            break
        pos += size
    return out


def decoded_frames(path: Path) -> list[np.ndarray]:
    """Every frame OpenCV decodes from ``path``."""
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    return frames
