"""Cost of writing the annotated video: H.264 through the bundled ffmpeg vs OpenCV's mp4v.

Run: ``python benchmarks/video_encode.py [video] [--max-side 720]``. Decodes the clip (default: the
bundled ``sample_videos/lunge_left_ppt.mp4``) into memory, then writes it with each writer and prints
the time the caller spends per frame in ``write`` (what the scoring loop waits for), the time
``release`` takes to finish the file, the CPU the ffmpeg process used per frame (it competes with
pose estimation for the cores), and the file size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from formcheck.sources import open_source
from formcheck.video_out import open_video_writer

REPO = Path(__file__).resolve().parents[1]


def bench(codec: str, frames: list, fps: float, size: tuple[int, int], folder: Path) -> None:
    path = folder / f"{codec}.mp4"
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    w = open_video_writer(path, fps, size, codec=codec)
    t1 = time.perf_counter()
    for f in frames:
        w.write(f)
    t2 = time.perf_counter()
    w.release()
    t3 = time.perf_counter()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)  # ffmpeg's CPU seconds
    print(f"{codec:5s} open {1000 * (t1 - t0):6.1f} ms   write {1000 * (t2 - t1) / len(frames):5.2f} ms/frame   "
          f"release {1000 * (t3 - t2):6.1f} ms   total {t3 - t0:5.2f} s   encoder process CPU "
          f"{1000 * child_cpu / len(frames):5.2f} ms/frame   {path.stat().st_size / 1e6:5.2f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("video", type=Path, nargs="?", default=REPO / "sample_videos" / "lunge_left_ppt.mp4")
    ap.add_argument("--max-side", type=int, default=720)
    args = ap.parse_args()
    src = open_source(args.video, max_side=args.max_side)
    frames = [f.image.copy() for f in src]
    info = src.info
    print(f"{args.video.name}: {len(frames)} frames {info.width}x{info.height} at {info.fps:g} fps")
    with tempfile.TemporaryDirectory() as d:
        for codec in ("h264", "mp4v"):
            bench(codec, frames, info.fps, (info.width, info.height), Path(d))


if __name__ == "__main__":
    main()
