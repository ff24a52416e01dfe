"""Dask's overhead on a batch: the same short clips scored by the local process pool (``--workers 2``)
and by a 2-worker local Dask cluster (``--cluster local:2``), each through the real command.

    python benchmarks/cluster_batch.py                  # 8 clips of 3 s, about 2 minutes on 2 cores
    python benchmarks/cluster_batch.py --clips 8 --seconds 5 --repeat 2

The clips are cut at run time (bundled ffmpeg, 320 px wide) from the bundled lunge samples into a
temporary folder. Each run starts from an empty output folder and has no history (``--no-history``)
and no annotated video (``--no-video``). Figures: wall seconds per run (medians over ``--repeat``),
and Dask's overhead per video = (cluster wall - local wall) / clips, in seconds and as % of the
local seconds per video. The cluster's wall time includes starting the LocalCluster (its workers
import formcheck and load the model once each, where the local pool starts a pose process per video).
Wall times depend on other load on the machine: say so next to the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = ("lunge_left_no_tilt", "lunge_right_ppt", "lunge_left_ppt", "lunge_right_no_tilt")
EXERCISE = "kneeling-hip-flexor"


def cut_clips(folder: Path, n: int, seconds: float) -> None:
    """``n`` clips of ``seconds`` from the bundled lunge samples (different samples and start times)."""
    import imageio_ffmpeg

    folder.mkdir(parents=True)
    for i in range(n):
        sample = REPO / "sample_videos" / f"{SAMPLES[i % len(SAMPLES)]}.mp4"
        start = (i // len(SAMPLES)) * seconds
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{start}", "-i", str(sample),
                        "-t", f"{seconds}", "-vf", "scale=320:-2", "-an", str(folder / f"clip{i:02d}.mp4")],
                       check=True)


def timed_batch(root: Path, out: str, extra: list[str]) -> float:
    """Wall seconds of one ``formcheck batch`` of ``root/clips`` into ``root/out`` (must exit 0)."""
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "formcheck", "batch", "clips", "-e", EXERCISE, "--out", out,
                        "--no-video", "--no-history", "-q", *extra], cwd=root, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"batch {' '.join(extra)} failed (exit {p.returncode}): {p.stderr.strip()[-500:]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="formcheck-cluster-bench-") as tmp:
        root = Path(tmp)
        cut_clips(root / "clips", args.clips, args.seconds)
        local, cluster = [], []
        for k in range(args.repeat):  # round robin, so slow phases of other load hit both
            local.append(timed_batch(root, f"local{k}", ["--workers", "2"]))
            cluster.append(timed_batch(root, f"cluster{k}", ["--cluster", "local:2"]))
    lw, cw = statistics.median(local), statistics.median(cluster)
    per_video = (cw - lw) / args.clips
    print(f"{args.clips} clips of {args.seconds:g} s, {EXERCISE}, --no-video, median of {args.repeat} run(s)")
    print(f"  local pool (--workers 2):      {lw:6.1f} s  ({lw / args.clips:.2f} s per video)")
    print(f"  Dask LocalCluster (local:2):   {cw:6.1f} s  ({cw / args.clips:.2f} s per video)")
    print(f"  Dask overhead per video:       {per_video:+.2f} s  ({100 * per_video / (lw / args.clips):+.0f}%)")


if __name__ == "__main__":
    main()
