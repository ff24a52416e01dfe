"""Memory on long input: score a 10-minute video and print the resident memory at each minute.

    python benchmarks/memory_flat.py                    # 10 min at 30 fps of a looped sample clip, --workers 1
    python benchmarks/memory_flat.py --fps 15 --workers 2 --no-video

The 10-minute video is written to a temporary folder at run time by looping a bundled sample clip
(640x480, the kneeling stretch, so the person mask and outline measure run too). The clip is 15 fps;
at ``--fps 30`` (the default) each frame is written twice: 18,450 frames (10 minutes and 15 s). The
scoring is the product's ``run_score``; its progress callback is where memory is read: the sum of
VmRSS over this process and its worker processes, from /proc. The figure that matters is the
growth from minute 1 to minute 10 (target: at most 50 MB). Takes about 7 minutes on 2 cores at 30 fps.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import tree_rss_mb  # noqa: E402

from formcheck.run import score as scoring  # noqa: E402

CLIP = REPO / "sample_videos/lunge_left_ppt.mp4"


def loop_clip(src: Path, dst: Path, minutes: float, fps: float) -> tuple[int, float]:
    """Write ``src`` looped to ``minutes`` long at ``fps`` (a whole multiple of its own rate: each
    frame repeated) into ``dst``; returns (frames, fps)."""
    cap = cv2.VideoCapture(str(src))
    own = cap.get(cv2.CAP_PROP_FPS) or 15.0
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    cap.release()
    repeat = max(1, round(fps / own))
    fps = own * repeat
    need = int(round(minutes * 60 * fps))
    wr = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    n = 0
    while n < need:
        cap = cv2.VideoCapture(str(src))
        while n < need:
            ok, img = cap.read()
            if not ok:
                break
            for _ in range(min(repeat, need - n)):
                wr.write(img)
                n += 1
        cap.release()
    wr.release()
    return n, fps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--fps", type=float, default=30.0, help="frame rate of the long video (15 or 30; default 30)")
    ap.add_argument("--no-video", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="formcheck-mem-") as tmp:
        video = Path(tmp) / "long.mp4"
        # 15 s past the last mark, so the last reading is taken while the pose process still runs.
        n, fps = loop_clip(CLIP, video, args.minutes + 0.25, args.fps)
        print(f"video: {CLIP.name} looped to {n} frames ({n / fps / 60:.1f} min at {fps:g} fps); "
              f"--workers {args.workers}{' --no-video' if args.no_video else ''}", flush=True)
        marks = {int(round(m * 60 * fps)): m for m in range(1, int(args.minutes) + 1)}
        readings: dict[int, float] = {}
        t0 = time.monotonic()

        class MemoryProgress(scoring.Progress):
            """The scoring progress bar, reading memory as each minute of video is scored."""

            def update(self, done: int) -> None:
                super().update(done)
                minute = marks.get(done)
                if minute is not None:
                    readings[minute] = tree_rss_mb(os.getpid())
                    print(f"  minute {minute:2d} of video scored after {time.monotonic() - t0:5.0f} s: "
                          f"RSS {readings[minute]:6.1f} MB", flush=True)

        scoring.Progress = MemoryProgress
        outcome = scoring.run_score(video, "kneeling-hip-flexor", Path(tmp) / "out", write_video=not args.no_video,
                                    progress=False, workers=args.workers)
        print(f"scored {outcome.report.frames} frames in {time.monotonic() - t0:.0f} s")
        first, last = readings.get(1), readings.get(int(args.minutes))
        if first is not None and last is not None:
            print(f"RSS growth from minute 1 to minute {int(args.minutes)}: {last - first:+.1f} MB "
                  f"({first:.1f} -> {last:.1f} MB)")


if __name__ == "__main__":
    main()
