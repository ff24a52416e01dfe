"""Study of the back-outline pelvic-tilt signal (formcheck.pose.outline) on real clips.

Runs MediaPipe Pose (legacy solutions API, model_complexity=1, tracking mode, segmentation on,
input downscaled to <= 720 px on the long side) over

* the supine pelvic-tilt clip: correlation of curvature with a 0/1 tilt indicator (tilt times
  read by eye), mean change during tilts vs between, frame-to-frame jitter, and the change
  against a fixed and a rolling baseline;
* the kneeling hip-flexor clip: fraction of in-position frames flagged ``occluded``;

and times ``measure_back_outline`` per frame. The clips are test data outside the project:
pass ``--real`` if they are not at ``../shared/data/real`` relative to the repository.

    python benchmarks/outline_study.py [--real DIR] [--plot out.png]
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

import cv2
import numpy as np

from formcheck.judge.tilt import posterior_tilt_deg, rolling_baseline, tilt_change
from formcheck.pose.outline import measure_back_outline

SUPINE = Path("videos/other/pelvic_tilt_supine_side.mp4")
SUPINE_TILTS = ((0.8, 1.6), (2.8, 3.7), (5.0, 5.9), (7.2, 8.1))
KNEELING = Path("videos/lunge/kneeling_hip_flexor_stretch_portrait.mp4")
KNEELING_IN_POSITION = (5.0, 17.0)


def run_clip(path: Path, max_side: int = 720) -> dict[str, np.ndarray | list]:
    """MediaPipe over a clip; returns times (s), measures and the time spent in the outline step."""
    from formcheck.media.sources import open_source
    from formcheck.pose.mediapipe_pose import MediaPipePose

    times, measures, cost = [], [], []
    with MediaPipePose(segmentation=True) as pose:
        for frame in open_source(path, max_side=max_side):
            obs = pose.process(frame.image, frame.t)
            times.append(frame.t)
            xy, vis, mask = (obs.xy, obs.vis, obs.mask) if obs else (np.full((33, 2), np.nan), np.zeros(33), None)
            t0 = time.perf_counter()
            measures.append(measure_back_outline(mask, xy, vis))
            cost.append(time.perf_counter() - t0)
    return {"t": np.asarray(times), "m": measures, "cost": np.asarray(cost)}


def supine_report(run: dict) -> dict[str, float]:
    t, ms = run["t"], run["m"]
    c = np.array([m.curvature for m in ms])
    a = np.array([m.angle_above_hip_deg for m in ms])
    tilt = np.zeros(len(t), bool)
    for lo, hi in SUPINE_TILTS:
        tilt |= (t >= lo) & (t <= hi)
    out: dict[str, float] = {}
    for label, start in (("all", -1.0), ("t>=0.5s", 0.5)):
        ok = np.isfinite(c) & (t >= start)
        out[f"r_curvature_{label}"] = float(np.corrcoef(c[ok], tilt[ok])[0, 1])
        out[f"r_angle_{label}"] = float(np.corrcoef(a[ok], tilt[ok])[0, 1])
        out[f"change_curvature_{label}"] = float(c[ok & tilt].mean() - c[ok & ~tilt].mean())
        out[f"change_angle_deg_{label}"] = float(a[ok & tilt].mean() - a[ok & ~tilt].mean())
    ok = np.isfinite(c) & (t >= 0.5)
    d = np.diff(c[ok])
    out["jitter_median_abs_diff"] = float(np.median(np.abs(d)))
    out["jitter_rms_diff"] = float(np.sqrt(np.mean(d * d)))
    # Per-rep depth: mean over each tilt minus the mean of the 0.5 s before it.
    depths = []
    for lo, hi in SUPINE_TILTS:
        during = c[(t >= lo) & (t <= hi)]
        before = c[(t >= lo - 0.6) & (t < lo - 0.1)]
        depths.append(np.nanmean(during) - np.nanmean(before))
    out["per_rep_change_mean"] = float(np.mean(depths))
    out["per_rep_change_min"] = float(np.min(depths))
    out["per_rep_change_max"] = float(np.max(depths))
    # Baselines: fixed (0.3 s before the first tilt) and rolling (90th percentile, 3.5 s).
    fixed = tilt_change(c, t, (0.5, 0.8))
    roll = c - rolling_baseline(c, t, window_s=3.5, percentile=90.0)
    for name, ch in (("fixed", fixed), ("rolling", roll)):
        ok2 = np.isfinite(ch) & (t >= 0.5)
        out[f"{name}_change_in_tilts"] = float(np.nanmean(ch[ok2 & tilt]))
        out[f"{name}_change_between"] = float(np.nanmean(ch[ok2 & ~tilt]))
        out[f"{name}_tucked_frac_in_tilts(<=-0.010)"] = float(np.mean(ch[ok2 & tilt] <= -0.010))
        out[f"{name}_tucked_frac_between(<=-0.010)"] = float(np.mean(ch[ok2 & ~tilt] <= -0.010))
        out[f"{name}_arching_frac_between(>=+0.010)"] = float(np.mean(ch[ok2 & ~tilt] >= 0.010))
    out["neutral_drift_first_to_last_gap"] = float(
        np.nanmean(c[(t >= 8.5)]) - np.nanmean(c[(t >= 0.4) & (t < 0.8)])
    )
    out["degrees_per_rep_at_render_calibration"] = float(posterior_tilt_deg(out["per_rep_change_mean"]))
    return out


def kneeling_report(run: dict) -> dict[str, float]:
    t, ms = run["t"], run["m"]
    sel = (t >= KNEELING_IN_POSITION[0]) & (t <= KNEELING_IN_POSITION[1])
    occ = np.array([m.occluded for m in ms])
    reasons = collections.Counter(m.reason for m, s in zip(ms, sel, strict=True) if s)
    print("  kneeling reasons:", dict(reasons))
    return {"in_position_frames": float(sel.sum()), "occluded_fraction": float(occ[sel].mean())}


def speed_640x480(n: int = 300) -> float:
    """Seconds per call on a drawn 640x480 upright trunk (no MediaPipe)."""
    mask = np.zeros((480, 640), np.float32)
    cv2.ellipse(mask, (320, 250), (70, 160), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    xy[[23, 24]] = (320, 360)
    xy[[11, 12]] = (320, 140)
    xy[0] = (280, 100)
    xy[[7, 8]] = (320, 100)
    vis[[0, 7, 8, 11, 12, 23, 24]] = 1.0
    measure_back_outline(mask, xy, vis)
    t0 = time.perf_counter()
    for _ in range(n):
        measure_back_outline(mask, xy, vis)
    return (time.perf_counter() - t0) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_real = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
    ap.add_argument("--real", type=Path, default=default_real)
    ap.add_argument("--plot", type=Path, default=None, help="write a plot of the supine signals here")
    args = ap.parse_args()

    print(f"measure_back_outline, drawn 640x480: {speed_640x480() * 1e3:.3f} ms/frame")
    sup = run_clip(args.real / SUPINE)
    print(f"supine clip: {len(sup['t'])} frames, outline step {np.median(sup['cost']) * 1e3:.3f} ms median, "
          f"{np.percentile(sup['cost'], 95) * 1e3:.3f} ms p95 (mask 720x405)")
    for k, v in supine_report(sup).items():
        print(f"  {k}: {v:+.4f}")
    kn = run_clip(args.real / KNEELING)
    print(f"kneeling clip: {len(kn['t'])} frames, outline step {np.median(kn['cost']) * 1e3:.3f} ms median")
    for k, v in kneeling_report(kn).items():
        print(f"  {k}: {v:.3f}")

    if args.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        t = sup["t"]
        c = np.array([m.curvature for m in sup["m"]])
        a = np.array([m.angle_above_hip_deg for m in sup["m"]])
        fig, ax = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
        ax[0].plot(t, c, label="curvature")
        ax[0].plot(t, rolling_baseline(c, t), label="rolling baseline (p90, 3.5 s)")
        ax[1].plot(t, c - rolling_baseline(c, t), label="change from rolling baseline")
        ax[1].axhline(-0.010, color="k", ls=":")
        ax[2].plot(t, a, label="angle above hip (deg)")
        for x in ax:
            for lo, hi in SUPINE_TILTS:
                x.axvspan(lo, hi, color="orange", alpha=0.3)
            x.legend(loc="upper left")
        ax[2].set_xlabel("s")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=80)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()
