"""Agreement of scoring at an analysis rate (``--rate HZ``) with scoring every frame (``--rate full``).

    python benchmarks/rate_agreement.py                  # bundled samples + shared real clips, --rate 15
    python benchmarks/rate_agreement.py --rate 10        # another rate
    python benchmarks/rate_agreement.py --only bridge    # clips whose name contains 'bridge'

Each clip is scored twice with ``formcheck score`` (one pose worker each, ``--no-video``, so the only
difference is the rate) and the two reports are compared: the same holds (count, sides), reps
(count, sides); the largest difference in hold start / end, good-form seconds, fault seconds (per
hold and code), rep start / end and seconds at the top; and the mean absolute difference of the
judged angles (every signal in degrees in frames.csv) over the frames analysed at both rates. The
issue's limits: holds, reps and sides the same; hold start/end within 0.15 s; good-form seconds
within 0.3 s; fault seconds within 0.5 s; angles' mean absolute difference within 1 degree.

The bundled samples are rendered at 15 fps, where 15 Hz analyses every frame (they are listed to
show that); the short lunge and bridge clips the test uses are rendered at 30 fps (``--render-fps``,
cached in ``benchmarks/.clips``), where 15 Hz analyses every other frame. Real clips are read from
``../shared/data/real`` beside the checkout (skipped when absent).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from formcheck.exercises.signal_registry import signal_units  # noqa: E402
from formcheck.run.score import run_score  # noqa: E402

REAL = REPO.parent / "shared/data/real/videos"
REAL_CLIPS = (  # (path under videos/, exercise): the clips the real-footage tests score
    ("lunge/kneeling_hip_flexor_stretch_portrait.mp4", "kneeling-hip-flexor"),
    ("lunge/half_kneeling_hip_flexor_oblique_then_side.mp4", "kneeling-hip-flexor"),
    ("lunge/lunge_static_outdoor_front_portrait.mp4", "kneeling-hip-flexor"),
    ("bridge/glute_bridge_home_woman_side.mp4", "bridge"),
    ("bridge/glute_bridge_gym_man_side.mp4", "bridge"),
    ("bridge/bridge_darebee_side.mp4", "bridge"),
    ("bridge/bridge_and_single_leg_side_clinic.mp4", "bridge"),
    ("other/plank_hold_timer_side_kaiakol005.mp4", "supported-bridge"),
)
RENDERED = ("lunge_short", "bridge_short")  # rendered at --render-fps (tests/test_rate.py scores the same clips)
SAMPLES = ("lunge_left_ppt", "lunge_left_no_tilt", "lunge_right_ppt", "lunge_right_no_tilt", "bridge_reps_sag",
           "supported_bridge_drop")
LIMITS = {"hold_start_end_s": 0.15, "good_form_s": 0.3, "fault_s": 0.5, "angle_mad_deg": 1.0}


@dataclass(frozen=True)
class Agreement:
    """How a report at a rate differs from the full-rate one. Seconds and degrees; NaN: nothing to compare."""

    same_holds: bool
    same_reps: bool
    hold_start_end_s: float
    good_form_s: float
    fault_s: float
    rep_start_end_s: float
    top_hold_s: float
    angle_mad_deg: float
    frames_full: int
    frames_rate: int

    @property
    def within_limits(self) -> bool:
        """True when every figure is within the issue's limits (NaN: nothing to compare, fine)."""
        return self.same_holds and self.same_reps and all(
            not getattr(self, k) > v for k, v in LIMITS.items())


def _max(values: list[float]) -> float:
    return max(values) if values else math.nan


def _fault_seconds(item: dict[str, Any]) -> dict[str, float]:
    return {f["code"]: f["seconds"] for f in item["faults"]}


def _angle_rows(path: Path) -> tuple[list[str], dict[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cols = [c for c in (rows[0] if rows else {}) if not c.startswith("crit_") and signal_units(c) == "deg"]
    return cols, {int(r["frame"]): r for r in rows}


def angle_mad(full_csv: Path, rate_csv: Path) -> float:
    """Mean absolute difference (degrees) of every angle signal over the frames analysed at both rates
    where both are known."""
    cols, full = _angle_rows(full_csv)
    _, part = _angle_rows(rate_csv)
    diffs = [abs(float(r[c]) - float(full[i][c])) for i, r in part.items() if i in full
             for c in cols if r[c] and full[i][c]]
    return sum(diffs) / len(diffs) if diffs else math.nan


def compare(full_dir: Path, rate_dir: Path) -> Agreement:
    """Compare the reports in two output folders (``full_dir``: every frame analysed)."""
    a = json.loads((full_dir / "report.json").read_text())
    b = json.loads((rate_dir / "report.json").read_text())
    same_holds = [h["side"] for h in a["holds"]] == [h["side"] for h in b["holds"]]
    same_reps = [r["side"] for r in a["reps"]] == [r["side"] for r in b["reps"]]
    edges, good, faults, rep_edges, tops = [], [], [], [], []
    for x, y in zip(a["holds"], b["holds"], strict=False):
        edges += [abs(x["start_s"] - y["start_s"]), abs(x["end_s"] - y["end_s"])]
        good.append(abs(x["good_form_s"] - y["good_form_s"]))
        fx, fy = _fault_seconds(x), _fault_seconds(y)
        faults += [abs(fx.get(c, 0.0) - fy.get(c, 0.0)) for c in {*fx, *fy}]
    for x, y in zip(a["reps"], b["reps"], strict=False):
        rep_edges += [abs(x["start_s"] - y["start_s"]), abs(x["end_s"] - y["end_s"])]
        tops.append(abs(x["top_hold_s"] - y["top_hold_s"]))
    return Agreement(same_holds, same_reps, _max(edges), _max(good), _max(faults), _max(rep_edges), _max(tops),
                     angle_mad(full_dir / "frames.csv", rate_dir / "frames.csv"), a["frames"], b["frames"])


def score_both(video: Path, exercise: str, rate: float, out: Path) -> Agreement:
    """Score ``video`` at every frame and at ``rate`` Hz into ``out/full`` and ``out/rate``; compare them."""
    for name, hz in (("full", None), ("rate", rate)):
        run_score(video, exercise, out / name, write_video=False, progress=False, workers=1, rate=hz)
    return compare(out / "full", out / "rate")


def render_at(name: str, fps: float, cache: Path) -> Path:
    """The bundled sample ``name`` rendered at ``fps`` (cached)."""
    from formcheck.synth import CLIP_SCRIPTS
    from formcheck.synth.clip import render_clip_script

    script = dataclasses.replace(CLIP_SCRIPTS[name], fps=fps)
    folder = cache / f"{fps:g}fps"
    video = folder / f"{name}.mp4"
    if not video.exists():
        render_clip_script(script, folder)
    return video


def _fmt(x: float, nd: int = 2) -> str:
    return "-" if math.isnan(x) else f"{x:.{nd}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=15.0, help="analysis rate to compare with full (Hz)")
    ap.add_argument("--render-fps", type=float, default=30.0, help="render the short test clips at this fps "
                    "(0: skip them)")
    ap.add_argument("--cache", type=Path, default=REPO / "benchmarks/.clips", help="where re-rendered samples go")
    ap.add_argument("--out", type=Path, default=Path("/tmp/formcheck-rate-agreement"))
    ap.add_argument("--only", default="", help="only clips whose name contains this")
    ap.add_argument("--skip-samples", action="store_true", help="leave out the bundled 15 fps samples")
    args = ap.parse_args()
    clips: list[tuple[str, Path, str]] = []
    if args.render_fps > 0:
        from formcheck.synth import CLIP_SCRIPTS

        clips += [(f"{name} ({args.render_fps:g} fps)", render_at(name, args.render_fps, args.cache),
                   CLIP_SCRIPTS[name].exercise) for name in RENDERED if args.only in name]
    if REAL.is_dir():
        clips += [(f"real: {Path(p).stem}", REAL / p, ex) for p, ex in REAL_CLIPS]
    else:
        print(f"(real clips not found at {REAL}: skipped)")
    if not args.skip_samples:
        for name in SAMPLES:
            ex = json.loads((REPO / "sample_videos" / f"{name}.json").read_text())["exercise"]
            clips.append((f"{name} (15 fps)", REPO / "sample_videos" / f"{name}.mp4", ex))
    clips = [c for c in clips if args.only in c[0]]
    print(f"--rate {args.rate:g} against --rate full (one worker, --no-video); limits: holds/reps/sides the same, "
          "hold start/end 0.15 s, good form 0.3 s, fault 0.5 s, angles 1 deg\n")
    print("| clip | exercise | frames full / at rate | holds, reps same | hold start/end s | good form s | "
          "fault s | rep start/end s | top hold s | angles MAD deg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    bad = 0
    for i, (label, video, ex) in enumerate(clips):
        a = score_both(video, ex, args.rate, args.out / f"{i:02d}")
        bad += not a.within_limits
        same = "yes" if a.same_holds and a.same_reps else "**no**"
        print(f"| {label} | {ex} | {a.frames_full} / {a.frames_rate} | {same} | {_fmt(a.hold_start_end_s)} | "
              f"{_fmt(a.good_form_s)} | {_fmt(a.fault_s)} | {_fmt(a.rep_start_end_s)} | {_fmt(a.top_hold_s)} | "
              f"{_fmt(a.angle_mad_deg)} |", flush=True)
    print(f"\n{len(clips) - bad} of {len(clips)} clips within every limit ('-': nothing to compare)")


if __name__ == "__main__":
    main()
