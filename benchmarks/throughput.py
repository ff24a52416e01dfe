"""Scoring throughput on one 30 fps 640x480 clip: decode only, pose only, the full ``score`` pipeline
(1 and 2 workers, every frame), the default ``score`` (``--rate 15 --workers auto``, with and without
the annotated video; ``--rate 15 --workers 1``; pose only at the same rate) and a naive reference
loop (every frame), each in its own process so peak memory is its own.

    python benchmarks/throughput.py                 # ~40 s clip, about 3-4 minutes on 2 cores
    python benchmarks/throughput.py --repeat 3      # each stage 3 times, round robin; medians compared
    python benchmarks/throughput.py --seconds 20    # quicker, noisier
    python benchmarks/throughput.py --size 1280x720 --seconds 39            # the issue's 720p clip
    python benchmarks/throughput.py --size 1280x720 --seconds 39 --fps 60   # each frame twice: 60 fps

The clip is made at run time in a temporary folder (never committed): the real glute-bridge
footage beside the checkout (``../shared/data/real``), letterboxed to 640x480 and looped to
``--seconds``; without that footage, a bundled sample clip with each frame written twice (15 -> 30 fps).

Figures printed per stage: wall ms per frame (end to end: model start-up, decoding, writing every
output file), times real time (clip seconds / wall seconds), CPU ms per frame summed over the
stage's processes (robust to other load on the machine), and peak RSS summed over the stage's
processes (sampled every 0.25 s from /proc). "pose only" also gives the model's own time per frame (the sum
of ``process()`` calls). The naive loop is what most example scripts do: read a frame, run pose,
judge it, draw, write it with OpenCV's ``VideoWriter`` (mp4v), all in one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REAL_CLIP = REPO.parent / "shared/data/real/videos/bridge/glute_bridge_home_woman_side.mp4"
SAMPLE_CLIP = REPO / "sample_videos/bridge_reps_sag.mp4"
SIZE = (640, 480)
FPS = 30.0
STAGES = ("decode", "pose", "naive", "score_w1", "score_w2", "score_w2_novideo", "pose_rate", "score_rate_w1",
          "score_default", "score_default_novideo")
DEFAULT_RATE_HZ = 15.0  # what score_default and pose_rate analyse (formcheck's --rate default)


def letterbox(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``img`` scaled to fit ``size`` (w, h) with black bars, aspect kept."""
    w, h = size
    s = min(w / img.shape[1], h / img.shape[0])
    nw, nh = round(img.shape[1] * s), round(img.shape[0] * s)
    out = np.zeros((h, w, 3), np.uint8)
    y0, x0 = (h - nh) // 2, (w - nw) // 2
    out[y0:y0 + nh, x0:x0 + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


def make_clip(src: Path, dst: Path, seconds: float, size: tuple[int, int] = SIZE,
              fps: float = FPS) -> tuple[Path, str]:
    """Write an ``fps`` clip of ``size`` (w, h) and ``seconds`` to ``dst`` by looping ``src``; returns it
    and a description."""
    need = int(round(seconds * fps))
    wr = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    n, repeat = 0, 1
    while n < need:
        cap = cv2.VideoCapture(str(src))
        repeat = max(1, round(fps / (cap.get(cv2.CAP_PROP_FPS) or fps)))  # 15 fps sample at 30: each frame twice
        before = n
        while n < need:
            ok, img = cap.read()
            if not ok:
                break
            img = letterbox(img, size)
            for _ in range(min(repeat, need - n)):
                wr.write(img)
                n += 1
        cap.release()
        if n == before:
            raise SystemExit(f"cannot read {src}")
    wr.release()
    doubled = f"each frame x{repeat}, " if repeat > 1 else ""
    return dst, (f"{src.name} letterboxed to {size[0]}x{size[1]}, {doubled}looped to {n} frames "
                 f"({n / fps:.0f} s at {fps:g} fps)")


def tree_rss_mb(root: int) -> float:
    """Resident memory (MB) of process ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree and p not in tree}
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class RssSampler:
    """Samples :func:`tree_rss_mb` of this process every ``interval_s`` in a thread; keeps the peak."""

    def __init__(self, interval_s: float = 0.25) -> None:
        self.peak, self.interval, self._stop = 0.0, interval_s, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(os.getpid()))
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def cpu_s() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_stage(stage: str, clip: Path, exercise: str, out: Path) -> dict:
    """Run one stage in this process and return its figures; per frame means per frame of the clip
    (at a rate, most of them are only grabbed)."""
    from formcheck.exercises import load_exercise
    from formcheck.media.sources import open_source

    spec = load_exercise(exercise)
    probe = open_source(clip).info
    clip_frames, clip_s = probe.frame_count, probe.nominal_duration_s
    sampler = RssSampler()
    c0, t0 = cpu_s(), time.perf_counter()
    extra: dict = {}
    if stage == "decode":
        frames = sum(1 for _ in open_source(clip, max_side=720))
    elif stage in ("pose", "pose_rate"):
        from formcheck.pose.mediapipe_pose import MediaPipePose

        pose = MediaPipePose(segmentation=spec.needs_outline)
        model_s, frames = 0.0, 0
        for f in open_source(clip, max_side=720).frames(rate=DEFAULT_RATE_HZ if stage == "pose_rate" else None):
            t = time.perf_counter()
            pose.process(f.image, f.t)
            model_s += time.perf_counter() - t
            frames += 1
        pose.close()
        extra["model_ms_per_frame"] = 1000 * model_s / frames
        extra["analysed"] = frames
    elif stage == "naive":
        from formcheck.judge.session import Session
        from formcheck.pose.analyse import observe
        from formcheck.pose.mediapipe_pose import MediaPipePose
        from formcheck.pose.outline import measure_back_outline
        from formcheck.report.outputs import write_session_outputs
        from formcheck.report.overlay import draw_frame
        from formcheck.run.cues import FormCues
        out.mkdir(parents=True, exist_ok=True)
        source = open_source(clip, max_side=720)
        info = source.info
        pose = MediaPipePose(segmentation=spec.needs_outline)
        session = Session(spec, info.width, info.height, cues=FormCues(spec))
        writer = cv2.VideoWriter(str(out / "annotated.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), info.fps,
                                 (info.width, info.height))
        for frame in source:
            rec = observe(frame, pose, measure_back_outline)
            writer.write(draw_frame(frame.image, spec, session.step(rec.index, rec.t, rec.obs, rec.outline)))
        writer.release()
        pose.close()
        write_session_outputs(session.finish(), info, time.perf_counter() - t0, out)
        frames = session.n_frames
    else:
        from formcheck.run.pipeline import parse_workers
        from formcheck.run.score import run_score

        default = stage.startswith("score_default")
        video = not stage.endswith("novideo")
        workers = parse_workers("auto", video) if default else 2 if stage.startswith("score_w2") else 1
        at_rate = default or stage.startswith("score_rate")
        outcome = run_score(clip, exercise, out, write_video=video, progress=False,
                            workers=workers, rate=DEFAULT_RATE_HZ if at_rate else None)
        extra["workers"] = workers
        frames = outcome.report.frames
        extra["report"] = outcome.report.to_json()
        extra["analysed"] = frames
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    frames = clip_frames or frames
    return {"stage": stage, "frames": frames, "wall_s": wall, "ms_per_frame": 1000 * wall / frames,
            "cpu_ms_per_frame": 1000 * cpu / frames, "x_realtime": (clip_s or frames / FPS) / wall,
            "rss_mb": sampler.stop(), **extra}


def hold_rep_summary(report: dict) -> str:
    reps = [(r["start_s"], r["end_s"], r["top_hold_s"]) for r in report["reps"]]
    holds = [(h["side"], h["start_s"], h["end_s"], h["good_form_s"]) for h in report["holds"]]
    return f"holds {holds} reps {len(reps)} top-hold s {[r[2] for r in reps]} score {report['score']}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=40.0, help="clip length in seconds (default 40)")
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--source", type=Path, default=None, help="video to build the clip from")
    ap.add_argument("--size", default="640x480", help="clip size WxH (default 640x480; the issue's target: 1280x720)")
    ap.add_argument("--fps", type=float, default=FPS, help="clip frame rate (60: each 30 fps frame twice)")
    ap.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {','.join(STAGES)}")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run every stage this many times, round robin (other load on a shared machine then "
                         "hits all stages alike); the ratios use each stage's median run")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--clip", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:  # child process: one stage, one JSON line
        print(json.dumps(run_stage(args.stage, args.clip, args.exercise, args.out)))
        return

    src = args.source or (REAL_CLIP if REAL_CLIP.exists() else SAMPLE_CLIP)
    with tempfile.TemporaryDirectory(prefix="formcheck-bench-") as tmp:
        w, h = (int(v) for v in args.size.lower().split("x"))
        clip, desc = make_clip(src, Path(tmp) / "clip.mp4", args.seconds, (w, h), args.fps)
        print(f"clip: {desc}; exercise {args.exercise}; {os.cpu_count()} cores; "
              f"load average before {os.getloadavg()[0]:.1f}")
        runs: dict[str, list[dict]] = {}
        for _ in range(max(1, args.repeat)):
            for stage in args.stages.split(","):
                proc = subprocess.run([sys.executable, __file__, "--stage", stage, "--clip", str(clip), "--exercise",
                                       args.exercise, "--out", str(Path(tmp) / stage)],
                                      capture_output=True, text=True, cwd=REPO)
                if proc.returncode != 0:
                    raise SystemExit(f"stage {stage} failed:\n{proc.stderr[-3000:]}")
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                runs.setdefault(stage, []).append(r)
                print_stage(r)
        print(f"load average after {os.getloadavg()[0]:.1f}")
        results = {stage: sorted(rs, key=lambda r: r["wall_s"])[len(rs) // 2] for stage, rs in runs.items()}
        if args.repeat > 1:
            print(f"median of {args.repeat} runs per stage:")
            for r in results.values():
                print_stage(r)
        summarize(results)


def print_stage(r: dict) -> None:
    analysed = f" ({r['analysed']} analysed)" if "analysed" in r and r["analysed"] != r["frames"] else ""
    print(f"  {r['stage']:21s} {r['frames']:5d} frames{analysed} {r['wall_s']:6.1f} s  "
          f"{r['ms_per_frame']:6.2f} ms/frame  "
          f"{r['x_realtime']:5.2f}x real time  CPU {r['cpu_ms_per_frame']:6.2f} ms/frame  "
          f"peak RSS {r['rss_mb']:4.0f} MB", flush=True)


def summarize(results: dict) -> None:
    """The ratios the targets are stated in."""
    pose, w1, naive = results.get("pose"), results.get("score_w1"), results.get("naive")
    if pose:
        print(f"pose model alone (sum of process() calls): {pose['model_ms_per_frame']:.2f} ms/frame "
              f"({1000 / pose['model_ms_per_frame'] / FPS:.2f}x real time at 30 fps)")
    if pose and w1:
        e2e = 100 * (w1["wall_s"] / pose["wall_s"] - 1)
        model = 100 * (w1["ms_per_frame"] / pose["model_ms_per_frame"] - 1)
        print(f"score --workers 1 overhead over pose only: {e2e:+.1f}% end to end (both including model start-up "
              f"and decoding); {model:+.1f}% over the model's own time per frame")
    for key in ("score_w1", "score_w2", "score_w2_novideo"):
        if naive and key in results:
            print(f"{key} vs naive loop: {naive['wall_s'] / results[key]['wall_s']:.2f}x faster")
    default, pose_rate = results.get("score_default"), results.get("pose_rate")
    for key in ("score_default", "score_default_novideo"):
        if key in results:
            print(f"{key} (--rate {DEFAULT_RATE_HZ:g} --workers auto): {results[key]['x_realtime']:.2f}x real time")
            if naive:
                print(f"{key} vs naive full-rate loop: {naive['wall_s'] / results[key]['wall_s']:.2f}x faster")
    if default and "score_rate_w1" in results:
        print(f"at --rate {DEFAULT_RATE_HZ:g}: --workers auto ({default['workers']}) vs 1: "
              f"{results['score_rate_w1']['wall_s'] / default['wall_s']:.2f}x faster")
    if default and pose_rate:
        print(f"score_default overhead over pose only at the same rate: "
              f"{100 * (default['wall_s'] / pose_rate['wall_s'] - 1):+.1f}% end to end")
    if w1 and "score_w2" in results:
        print(f"report --workers 1: {hold_rep_summary(w1['report'])}")
        print(f"report --workers 2: {hold_rep_summary(results['score_w2']['report'])}")


if __name__ == "__main__":
    main()
