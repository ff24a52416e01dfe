"""Live mode speed: displayed frames per second and capture-to-display latency with a file source.

Run (a window needs a display; on a machine without one, wrap it in ``xvfb-run -a``):

    xvfb-run -a python benchmarks/live_fps.py            # window and --no-window runs
    python benchmarks/live_fps.py --no-window-only       # terminal mode only
    python benchmarks/live_fps.py --source my_clip.mp4   # any clip instead of the rendered ones

By default it renders two 640x480 30 fps clips of the mannequin (kneeling lunge, with the
segmentation mask the pelvic-tilt check needs; and glute bridge, without) into a cache folder,
plays each through ``formcheck.run.live.run_live`` as if it were a camera (real-time pacing, stale
frames dropped), and prints per run: displayed FPS, frames captured/shown/dropped, latency from
a frame becoming available to its overlay being on screen (p50/p95), and the pose model's own
time per frame (mean) — the floor under everything else.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import tempfile
import time
from pathlib import Path

import numpy as np

from formcheck.pose.mediapipe_pose import MediaPipePose
from formcheck.run.live import display_available, run_live

CLIPS = {"kneeling-hip-flexor": "lunge_left_ppt", "bridge": "bridge_reps_sag"}


class TimedPose:
    """MediaPipe Pose that records how long each call took (seconds)."""

    def __init__(self, segmentation: bool) -> None:
        self.inner = MediaPipePose(segmentation=segmentation)
        self.times: list[float] = []

    def process(self, image, t):
        t0 = time.perf_counter()
        out = self.inner.process(image, t)
        self.times.append(time.perf_counter() - t0)
        return out

    def close(self) -> None:
        self.inner.close()


def render_30fps(script_name: str, cache: Path) -> Path:
    """A clip script rendered at 640x480, 30 fps (cached by name)."""
    from formcheck.synth import CLIP_SCRIPTS
    from formcheck.synth.clip import render_clip_script

    name = f"{script_name}_30fps"
    video = cache / f"{name}.mp4"
    if not video.exists():
        script = dataclasses.replace(CLIP_SCRIPTS[script_name], name=name, fps=30.0)
        print(f"rendering {name} ({script.n_frames} frames) ...", flush=True)
        render_clip_script(script, cache)
    return video


def run_once(exercise: str, video: Path, window: bool, out: Path) -> None:
    from formcheck.exercises import load_exercise

    est = TimedPose(segmentation=load_exercise(exercise).needs_outline)
    with contextlib.redirect_stdout(io.StringIO()):  # the --no-window cue lines are not part of the figures
        outcome = run_live(exercise, out, source=video, window=window, tones=False, estimator=est, show_summary_s=0)
    s = outcome.stats
    pose_ms = np.mean(est.times[5:]) * 1000 if len(est.times) > 5 else float("nan")
    print(f"{exercise:20s} {'window' if window else 'no-window':9s} displayed {s.displayed_fps:5.1f} fps  "
          f"shown {s.displayed}/{s.captured} (dropped {s.dropped})  latency p50 {s.latency_percentile(50):5.1f} ms "
          f"p95 {s.latency_percentile(95):5.1f} ms  pose {pose_ms:5.1f} ms/frame", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, help="play this clip instead of the rendered ones")
    ap.add_argument("--exercise", default="kneeling-hip-flexor", help="exercise for --source")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "formcheck-bench")
    ap.add_argument("--no-window-only", action="store_true")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    runs = [(args.exercise, args.source)] if args.source else \
        [(ex, render_30fps(name, args.cache)) for ex, name in CLIPS.items()]
    modes = [False] if args.no_window_only or not display_available() else [True, False]
    if True not in modes and not args.no_window_only:
        print("no display: window runs skipped (use xvfb-run -a)")
    with tempfile.TemporaryDirectory() as tmp:
        for ex, video in runs:
            for window in modes:
                run_once(ex, video, window, Path(tmp) / f"{ex}-{window}")


if __name__ == "__main__":
    main()
