"""Cost of writing the annotated video: H.264 through the bundled ffmpeg at several x264 presets
(the product uses ``video_out.H264_PRESET``) vs OpenCV's mp4v.

Run: ``python benchmarks/video_encode.py [video] [--max-side 720]``. Decodes the clip (default: the
bundled ``sample_videos/lunge_left_ppt.mp4``) into memory, then writes it with each writer and prints
the time the caller spends per frame in ``write`` (what the scoring loop waits for) and the CPU it
used there (colour conversion, pipe), the time ``release`` takes to finish the file, the CPU the
ffmpeg process used per frame (it competes with pose estimation for the cores), and the file size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from formcheck.media.outfiles import AtomicFile
from formcheck.media.sources import open_source
from formcheck.media.video_out import H264_PRESET, H264Writer, find_h264_ffmpeg, open_video_writer

REPO = Path(__file__).resolve().parents[1]


def bench(codec: str, frames: list, fps: float, size: tuple[int, int], folder: Path) -> None:
    """``codec``: "mp4v" or an x264 preset name."""
    path = folder / f"{codec}.mp4"
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    if codec == "mp4v":
        w = open_video_writer(path, fps, size, codec=codec)
    else:
        exe, why = find_h264_ffmpeg()
        if exe is None:
            print(f"{codec}: skipped ({why})")
            return
        w = H264Writer(exe, AtomicFile(path), fps, size, preset=codec)
    t1 = time.perf_counter()
    caller0 = time.thread_time()
    for f in frames:
        w.write(f)
    caller = time.thread_time() - caller0
    t2 = time.perf_counter()
    w.release()
    t3 = time.perf_counter()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)  # ffmpeg's CPU seconds
    mark = " (used)" if codec == H264_PRESET else ""
    print(f"{codec + mark:16s} open {1000 * (t1 - t0):6.1f} ms   write {1000 * (t2 - t1) / len(frames):5.2f} ms/frame "
          f"(CPU {1000 * caller / len(frames):4.2f})   "
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
        for codec in ("ultrafast", "superfast", "veryfast", "mp4v"):
            bench(codec, frames, info.fps, (info.width, info.height), Path(d))


if __name__ == "__main__":
    main()
