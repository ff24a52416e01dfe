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


def ffmpeg(*args: str | Path) -> None:
    """Run the bundled ffmpeg quietly (overwriting outputs); fails the test with its message."""
    p = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *map(str, args)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


# Video filters that store an upright picture turned so that a player must turn it ``r`` degrees
# clockwise (the display rotation given with ffmpeg's -display_rotation, which counts anticlockwise).
STORED_TURNED = {90: "transpose=2", 180: "hflip,vflip", 270: "transpose=1"}


def rotated_copy(upright: Path, out: Path, r: int, lossless: bool = False) -> Path:
    """``out``: the frames of ``upright`` stored turned and tagged with a display rotation of ``r``
    degrees clockwise, as a phone writes a portrait video (lossless: the same pixels, turned)."""
    stored = out.with_name(f"{out.stem}_stored.mp4")
    quality = ["-qp", "0"] if lossless else []
    ffmpeg("-i", upright, "-vf", STORED_TURNED[r], "-c:v", "libx264", "-preset", "ultrafast", *quality, stored)
    ffmpeg("-display_rotation", str(-r), "-i", stored, "-c", "copy", out)
    stored.unlink()
    return out


def corrupt_middle(src: Path, out: Path, start: float = 0.45, end: float = 0.6) -> Path:
    """``out``: a copy of ``src`` with the bytes from ``start`` to ``end`` (fractions of its size) zeroed."""
    data = bytearray(src.read_bytes())
    a, b = int(len(data) * start), int(len(data) * end)
    data[a:b] = bytes(b - a)
    out.write_bytes(bytes(data))
    return out


def duration_s(path: Path) -> float:
    """The container duration ffmpeg reads (seconds)."""
    err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err).groups()
    return 3600 * int(h) + 60 * int(m) + float(s)
