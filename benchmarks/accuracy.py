"""Accuracy of the real pipeline on rendered clips with exact ground truth.

Renders (or reuses) synthetic clips, runs the same session ``formcheck score`` runs (MediaPipe on
the rendered pixels), and compares with the ground truth written beside each clip:

* error per signal (pipeline value for the role minus the true angle of that leg, degrees or units;
  for relative signals the change from the hold's neutral minus the true change): bias (median),
  MAE, 90th percentile of |error| — the signal-error table the rules read (``--write-errors``),
* pelvic-tilt estimate error (curvature change from the set-up baseline -> degrees, vs true change),
* tilt-change classification accuracy (posterior / neutral / anterior),
* hold duration error and rep count,
* fault detection precision / recall per fault code (frame level, inside the true holds / rep tops),
* detection rate.

Usage:
    python benchmarks/accuracy.py --quick            # the short clips (CI)
    python benchmarks/accuracy.py                    # every clip script (documented full run)
    python benchmarks/accuracy.py --write-errors     # ... and rewrite formcheck/exercises/signal_errors.toml
    python benchmarks/accuracy.py --clips lunge_left_ppt bridge_reps_sag --cache /tmp/fc-clips
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from formcheck.exercises import load_exercise
from formcheck.exercises.signal_registry import signal_units
from formcheck.judge.session import Session
from formcheck.judge.tilt import posterior_tilt_deg
from formcheck.media.sources import open_source
from formcheck.pose.analyse import observe
from formcheck.pose.mediapipe_pose import MediaPipePose
from formcheck.pose.outline import measure_back_outline
from formcheck.report.json_report import rep_fault_codes
from formcheck.synth import CLIP_SCRIPTS, QUICK_SET, iter_frames, render_clip
from formcheck.synth.clip import ground_truth
from formcheck.synth.labels import label_faults

REPO = Path(__file__).resolve().parents[1]
ERROR_TABLE = REPO / "formcheck" / "exercises" / "measured" / "signal_errors.toml"

# Angles compared, per exercise: (pipeline signal, ground-truth angle key pattern with {back}/{front}/{near}).
COMPARED = {
    "kneeling-hip-flexor": [("trunk_lean", "trunk_lean"), ("hip_ext.back", "hip_ext_{back}"),
                            ("knee.front", "knee_{front}"), ("knee.back", "knee_{back}")],
    "bridge": [("bridge_line.near", "bridge_line_{near}"), ("knee.near", "knee_{near}"),
               ("hip_lift.near", "hip_lift_{near}")],
    "supported-bridge": [("hip_lift.near", "hip_lift_{near}"), ("knee.near", "knee_{near}")],
    "low-lunge-twist": [("trunk_lean", "trunk_lean"), ("hip_ext.back", "hip_ext_{back}"),
                        ("knee.front", "knee_{front}"), ("knee.back", "knee_{back}"),
                        ("shoulder_turn", "shoulder_turn")],
    "glute-kickback": [("hip_ext.lifted", "hip_ext_{lifted}"), ("knee.lifted", "knee_{lifted}"),
                       ("knee.planted", "knee_{planted}")],
    "upward-dog": [("hip_ext.near", "hip_ext_{near}"), ("knee.near", "knee_{near}"), ("elbow.near", "elbow_{near}"),
                   ("arm_lean.near", "arm_lean_{near}"), ("trunk_tilt", "trunk_lean")],
    "standing-quad-stretch": [("trunk_lean", "trunk_lean"), ("thigh.lifted", "thigh_{lifted}"),
                              ("knee.lifted", "knee_{lifted}"), ("knee.planted", "knee_{planted}"),
                              ("hip_ext.lifted", "hip_ext_{lifted}")],
}
def _mask_curvature(gt: dict, roles: dict, n: int) -> np.ndarray:
    return np.array([np.nan if f.get("mask_curvature") is None else f["mask_curvature"] for f in gt["frames"][:n]])


def _true_angle(key: str):
    def get(gt: dict, roles: dict, n: int) -> np.ndarray:
        k = key.format(**roles)
        return np.array([np.nan if f["angles"].get(k) is None else f["angles"][k] for f in gt["frames"][:n]])
    return get


# Relative signals (judged as the change from the hold's own neutral) and where their truth is.
RELATIVE_TRUTH = {
    "kneeling-hip-flexor": {"back_curvature": _mask_curvature},
    "supported-bridge": {"hip_lift.near": _true_angle("hip_lift_{near}")},
}


def _neutral_window(gt: dict, hold: dict, timing, t: np.ndarray) -> np.ndarray:
    """The frames the neutral is taken over: the script's set-up baseline when it has one, else the
    session's own window (``baseline_settle_s`` into the hold, ``baseline_s`` long)."""
    if gt.get("baseline"):
        a, b = gt["baseline"]["start_s"], gt["baseline"]["end_s"]
    else:
        a = hold["start_s"] + timing.baseline_settle_s
        b = a + timing.baseline_s
    return (t >= a) & (t <= b)


TILT_CLASS_DEG = 5.0  # true change beyond +-5 deg = posterior / anterior
POSTERIOR_CURV, ANTERIOR_CURV = -0.0125, 0.0125  # the exercise file's thresholds


def ensure_clip(name: str, cache: Path) -> tuple[Path, dict]:
    """Render a clip into the cache unless it is already there; return (video, ground truth). The
    fault labels are recomputed from the script (no rendering needed), so a cached clip is always
    judged by the current label rules (formcheck/synth/labels.py)."""
    video, gt_path = cache / f"{name}.mp4", cache / f"{name}.json"
    if not (video.exists() and gt_path.exists()):
        render_clip(name, cache)
    gt = json.loads(gt_path.read_text())
    script = CLIP_SCRIPTS[name]
    fresh = ground_truth(script, list(iter_frames(script, images=False)))
    for kept, new in zip(gt["frames"], fresh["frames"], strict=True):
        kept["faults"] = new["faults"]
    return video, gt


def run_pipeline(video: Path, exercise: str) -> tuple[Session, list]:
    spec = load_exercise(exercise)
    src = open_source(video)
    with MediaPipePose(segmentation=spec.needs_outline) as pose:
        s = Session(spec, src.info.width, src.info.height)
        for f in src:
            rec = observe(f, pose, measure_back_outline)
            s.step(rec.index, rec.t, rec.obs, rec.outline)
        res = s.finish()
    return s, res


def _overlap(a0, a1, b0, b1) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def evaluate_clip(name: str, cache: Path) -> dict:
    video, gt = ensure_clip(name, cache)
    ex = gt["exercise"]
    session, res = run_pipeline(video, ex)
    frames = res.frames
    n = min(len(frames), len(gt["frames"]))
    back = gt.get("side") or "left"
    other = "right" if back == "left" else "left"
    # The script's side is the stretched leg: kneeling (back) in the lunge, held (lifted) in the quad stretch.
    roles = {"back": back, "front": other, "lifted": back, "planted": other, "near": gt["near_side"]}
    out: dict = {"clip": name, "exercise": ex, "frames": n, "found": sum(f.found for f in frames[:n])}
    t = np.array([g["t"] for g in gt["frames"][:n]])
    in_hold = np.zeros(n, bool)
    for h in gt["holds"]:
        in_hold |= (t >= h["start_s"]) & (t <= h["end_s"])
    for r in gt["reps"]:
        in_hold |= (t >= r["top_start_s"]) & (t <= r["top_end_s"])
    # Angles
    errs = {}
    # Reps booked per side (kickbacks): inside each rep the lifted leg is that rep's side.
    rep_side = [roles["lifted"]] * n
    for r in gt["reps"]:
        for i in np.flatnonzero((t >= r["start_s"]) & (t <= r["end_s"])):
            rep_side[i] = r.get("side") or rep_side[i]
    for sig, key in COMPARED[ex]:
        p = np.array([frames[i].values.get(sig, math.nan) for i in range(n)])
        keys = [key.format(**{**roles, "lifted": s, "planted": "right" if s == "left" else "left"}) for s in rep_side]
        g = np.array([np.nan if gt["frames"][i]["angles"].get(keys[i]) is None else gt["frames"][i]["angles"][keys[i]]
                      for i in range(n)])
        ok = np.isfinite(p) & np.isfinite(g) & in_hold
        errs[sig] = (p[ok] - g[ok]).tolist()  # signed: reading - truth
    spec = load_exercise(ex)
    # Relative signals: the change from the hold's own neutral, measured vs true (same units).
    for sig, truth in RELATIVE_TRUTH.get(ex, {}).items():
        if not gt["holds"]:
            continue
        p = np.array([frames[i].values.get(sig, math.nan) for i in range(n)])
        g = truth(gt, roles, n)
        change_err = []
        for h in gt["holds"]:
            win = _neutral_window(gt, h, spec.timing, t)
            hold = (t >= h["start_s"]) & (t <= h["end_s"])
            if np.isfinite(p[win]).sum() < 3 or np.isfinite(g[win]).sum() < 3:
                continue
            dp, dg = p - np.nanmedian(p[win]), g - np.nanmedian(g[win])
            ok = np.isfinite(dp) & np.isfinite(dg) & hold
            change_err += (dp[ok] - dg[ok]).tolist()
        errs[f"{sig}.change"] = change_err
    out["angle_errors"] = errs
    # Is the tilt judged? In-hold frames after the neutral was taken, by arm position.
    arms = next((tag.split(":", 1)[1] for tag in gt.get("tags", []) if tag.startswith("arms:")), None)
    if ex == "kneeling-hip-flexor" and gt["holds"]:
        after = np.zeros(n, bool)
        for h in gt["holds"]:
            after |= (t >= h["start_s"] + 2.0) & (t <= h["end_s"])
        judged = [frames[i].statuses.get("pelvis_tucked", "not_judged") != "not_judged"
                  for i in np.flatnonzero(after)]
        out["tilt_judged"] = {"arms": arms or "knee", "frames": len(judged), "judged": int(sum(judged))}
    # Pelvic tilt (lunge only): change from the baseline window, estimated vs true.
    if ex == "kneeling-hip-flexor" and gt.get("baseline"):
        b0, b1 = gt["baseline"]["start_s"], gt["baseline"]["end_s"]
        curv = np.array([frames[i].values.get("back_curvature", math.nan) for i in range(n)])
        tilt = np.array([g["pelvic_tilt_deg"] for g in gt["frames"][:n]])
        win = (t >= b0) & (t <= b1)
        if np.isfinite(curv[win]).sum() >= 3:
            dc = curv - np.nanmedian(curv[win])
            dt_true = tilt - np.median(tilt[win])
            est = np.asarray(posterior_tilt_deg(dc))
            ok = np.isfinite(est) & in_hold
            out["tilt_errors"] = np.abs(est[ok] - dt_true[ok]).tolist()
            cls_true = np.where(dt_true >= TILT_CLASS_DEG, 1, np.where(dt_true <= -TILT_CLASS_DEG, -1, 0))
            cls_est = np.where(dc <= POSTERIOR_CURV, 1, np.where(dc >= ANTERIOR_CURV, -1, 0))
            out["tilt_class"] = (cls_true[ok] == cls_est[ok]).tolist()
    # Holds and reps
    out["hold_errors"] = []
    for h in gt["holds"]:
        best = max(res.holds, key=lambda p: _overlap(p.start_s, p.end_s, h["start_s"], h["end_s"]), default=None)
        if best is None or _overlap(best.start_s, best.end_s, h["start_s"], h["end_s"]) <= 0:
            out["hold_errors"].append(None)  # missed
        else:
            out["hold_errors"].append((best.end_s - best.start_s) - (h["end_s"] - h["start_s"]))
    out["holds_found"], out["holds_true"] = len(res.holds), len(gt["holds"])
    # Good-form seconds: true = time truly in position (the exercise's own position rules applied to
    # the true angles) with no true fault (the labels on every frame, so the seconds moving into and out
    # of the scripted hold count when their form is already good), after the true neutral.
    if gt["holds"]:
        dt = np.diff(t, prepend=t[0])
        true_good = float(dt[_true_good_frames(name, gt, spec, roles, n)].sum())
        out["good_form_error"] = sum(h.good_form_s for h in res.holds) - true_good
        out["good_form_seen_error"] = sum(h.good_form_s + h.unseen_s for h in res.holds) - true_good
        out["good_form_true"] = true_good
    out["reps_found"], out["reps_true"] = len(res.reps), len(gt["reps"])
    if gt["reps"]:
        out["rep_check"] = _rep_check(gt, res.reps, t)
    # Faults, frame level, inside the true judging windows.
    codes = load_exercise(ex).fault_codes
    counts = {c: [0, 0, 0] for c in codes}  # tp, fp, fn
    for i in np.flatnonzero(in_hold):
        true = set(gt["frames"][i]["faults"])
        pred = set(frames[i].faults)
        for c in codes:
            if c in pred and c in true:
                counts[c][0] += 1
            elif c in pred:
                counts[c][1] += 1
            elif c in true:
                counts[c][2] += 1
    out["faults"] = counts
    return out


def _true_signal(gt: dict, roles: dict, n: int, name: str) -> np.ndarray:
    """A position signal's true value per frame, from the ground-truth angles (NaN where unknown)."""
    if name == "leg_split":  # front thigh angle minus back thigh angle, as formcheck.judge.signals
        return _true_angle("thigh_{front}")(gt, roles, n) - _true_angle("thigh_{back}")(gt, roles, n)
    if name == "trunk_tilt":
        return np.abs(_true_angle("trunk_lean")(gt, roles, n))
    base, _, role = name.partition(".")
    return _true_angle(f"{base}_{{{role}}}" if role else base)(gt, roles, n)


def _true_good_frames(name: str, gt: dict, spec, roles: dict, n: int) -> np.ndarray:
    """Frames truly in position (every position rule of the exercise on the true values; relative rules
    against the median over the first true hold's first second) with no fault label on any frame."""
    t = np.array([g["t"] for g in gt["frames"][:n]])
    ok = np.ones(n, bool)
    for c in spec.position:
        v = _true_signal(gt, roles, n, c.signal)
        if c.relative:
            h0 = gt["holds"][0]["start_s"]
            v = v - np.nanmedian(v[(t >= h0) & (t <= h0 + 1.0)])
        ok &= np.isfinite(v)
        if c.min is not None:
            ok &= v >= c.min
        if c.max is not None:
            ok &= v <= c.max
    script = CLIP_SCRIPTS[name]
    ang = {k: np.array([np.nan if g["angles"].get(k) is None else g["angles"][k] for g in gt["frames"][:n]])
           for k in gt["frames"][0]["angles"]}
    tilt = np.array([g["pelvic_tilt_deg"] for g in gt["frames"][:n]])
    faults = label_faults(script, t, ang, tilt, everywhere=True)
    return ok & np.array([not f for f in faults])


def _rep_check(gt: dict, reps: list, t: np.ndarray) -> dict:
    """Rep for rep: each true rep must overlap exactly one reported rep (and no reported rep may be
    left over), and that rep's fault codes must be the true rep's (a code is the rep's when it is
    true on at least a third of the rep's true top frames, as the report keeps a fault)."""
    exact, faults_ok, lines = True, True, []
    used: set[int] = set()
    for g in gt["reps"]:
        match = [i for i, x in enumerate(reps) if x.start_s < g["top_end_s"] and x.end_s > g["top_start_s"]]
        top = [i for i in range(len(t)) if g["top_start_s"] <= t[i] <= g["top_end_s"]]
        counts: dict[str, int] = defaultdict(int)
        for i in top:
            for c in gt["frames"][i]["faults"]:
                counts[c] += 1
        true_codes = sorted(c for c, k in counts.items() if k >= len(top) / 3)
        if len(match) != 1:
            exact = False
            lines.append(f"true rep {g['start_s']:.1f}-{g['end_s']:.1f} s matched {len(match)} reported reps")
            continue
        used.add(match[0])
        rep = reps[match[0]]
        if g.get("side") and rep.side != g["side"]:
            exact = False
            lines.append(f"rep {rep.start_s:.1f}-{rep.end_s:.1f} s booked to {rep.side}, true {g['side']}")
        codes = sorted(rep_fault_codes(rep))
        if codes != true_codes:
            faults_ok = False
            lines.append(f"rep {rep.start_s:.1f}-{rep.end_s:.1f} s: faults {codes}, true {true_codes}")
    extra = [x for i, x in enumerate(reps) if i not in used]
    if extra:
        exact = False
        lines += [f"extra rep {x.start_s:.1f}-{x.end_s:.1f} s" for x in extra]
    return {"exact": exact, "faults_ok": faults_ok, "problems": lines}


def _fmt(x: float | None, nd: int = 2) -> str:
    return "  n/a" if x is None or not math.isfinite(x) else f"{x:.{nd}f}"


def signal_error_stats(results: list[dict]) -> dict[str, dict]:
    """Per signal over all clips: unit, bias (median signed error), MAE, p90 of |error|, frames."""
    pooled: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for sig, e in r["angle_errors"].items():
            pooled[sig] += e
    out = {}
    for sig in sorted(pooled):
        e = np.asarray(pooled[sig], float)
        if e.size == 0:
            continue
        base = sig[:-len(".change")] if sig.endswith(".change") else sig
        out[sig] = {"unit": signal_units(base), "bias": float(np.median(e)), "mae": float(np.mean(np.abs(e))),
                    "p90": float(np.percentile(np.abs(e), 90)), "frames": int(e.size)}
    return out


def write_error_table(stats: dict[str, dict], clips: int, path: Path) -> None:
    """The signal-error table the exercise rules read (formcheck/exercises/signal_errors.toml)."""
    lines = [
        "# Measured error of each signal the form rules read: reading minus truth, on frames inside the",
        "# true holds / rep tops of the rendered clips (exact ground truth; formcheck/synth). A `.change`",
        "# entry is a relative signal: its change from the hold's own neutral minus the true change.",
        "# bias = median error; mae = mean |error|; p90 = 90th percentile of |error| = the margin a reading",
        "# must pass a threshold by before a fault fires (between threshold and margin: borderline).",
        f"# Regenerate: python benchmarks/accuracy.py --write-errors   ({clips} clips, {time.strftime('%Y-%m-%d')})",
        "",
    ]
    for sig, st in stats.items():
        nd = 5 if st["unit"] == "unitless" else 3
        lines += [f'["{sig}"]', f'unit = "{st["unit"]}"', f"bias = {st['bias']:.{nd}f}", f"mae = {st['mae']:.{nd}f}",
                  f"p90 = {st['p90']:.{nd}f}", f"frames = {st['frames']}", ""]
    path.write_text("\n".join(lines))


def summarize(results: list[dict]) -> str:
    lines = []
    frames = sum(r["frames"] for r in results)
    found = sum(r["found"] for r in results)
    lines.append(f"clips: {len(results)}, frames: {frames}, detection rate: {found / max(frames, 1):.3f}")
    lines.append("")
    lines.append("| signal | unit | bias (median error) | MAE | p90 abs error = margin | frames |")
    lines.append("|---|---|---|---|---|---|")
    for sig, st in signal_error_stats(results).items():
        nd = 4 if st["unit"] == "unitless" else 2
        lines.append(f"| {sig} | {st['unit']} | {st['bias']:+.{nd}f} | {st['mae']:.{nd}f} | {st['p90']:.{nd}f} | "
                     f"{st['frames']} |")
    tj = [r["tilt_judged"] for r in results if "tilt_judged" in r]
    if tj:
        lines.append("")
        lines.append("| clip | arms | tilt judged (in-hold frames after the neutral) |")
        lines.append("|---|---|---|")
        for r in results:
            if "tilt_judged" in r:
                j = r["tilt_judged"]
                share = j["judged"] / max(j["frames"], 1)
                lines.append(f"| {r['clip']} | {j['arms']} | {share:.2f} of {j['frames']} |")
    tilt = [x for r in results for x in r.get("tilt_errors", [])]
    cls = [x for r in results for x in r.get("tilt_class", [])]
    lines.append("")
    lines.append(f"pelvic-tilt change estimate: MAE {_fmt(np.mean(tilt) if tilt else None)} deg over "
                 f"{len(tilt)} frames; posterior/neutral/anterior accuracy {_fmt(np.mean(cls) if cls else None)}")
    herr = [x for r in results for x in r["hold_errors"]]
    found_h = [x for x in herr if x is not None]
    lines.append(f"holds: {len(found_h)}/{len(herr)} true holds found; duration error mean "
                 f"{_fmt(np.mean(found_h) if found_h else None)} s, mean |error| "
                 f"{_fmt(np.mean(np.abs(found_h)) if found_h else None)} s; holds reported "
                 f"{sum(r['holds_found'] for r in results)} vs true {sum(r['holds_true'] for r in results)}")
    gfe = [r["good_form_error"] for r in results if "good_form_error" in r]
    lines.append(f"good-form seconds (all holds of a clip vs the true seconds in position with no true fault): "
                 f"mean error {_fmt(np.mean(gfe) if gfe else None)} s, mean |error| "
                 f"{_fmt(np.mean(np.abs(gfe)) if gfe else None)} s over {len(gfe)} clips")
    good_holds = [r for r in results if "good_form_error" in r and "good" in CLIP_SCRIPTS[r["clip"]].tags]
    if good_holds:
        within = [r for r in good_holds if abs(r["good_form_error"]) <= 1.0]
        lines.append(f"good holds with good-form seconds within 1.0 s of the truth: {len(within)}/{len(good_holds)} ("
                     + ", ".join(f"{r['clip']} {r['good_form_error']:+.1f} s of {r['good_form_true']:.1f}"
                                 for r in good_holds) + ")")
    unseen = [r for r in results if "good_form_seen_error" in r and any(
        tag == "arms:hip" for tag in CLIP_SCRIPTS[r["clip"]].tags)]
    if unseen:
        lines.append("tilt hidden by a hand on the hip: good form + 'tilt not seen' seconds vs true good seconds: "
                     + ", ".join(f"{r['clip']} {r['good_form_seen_error']:+.1f} s" for r in unseen))
    good = [r for r in results if all(tp + fn == 0 for tp, fp, fn in r["faults"].values())]
    false = [(r["clip"], sum(fp for _, fp, _ in r["faults"].values())) for r in good]
    lines.append(f"good-form clips (no true fault): {len(good)}; with a fault reported inside the true holds / rep "
                 f"tops: {sum(1 for _, n in false if n)} "
                 f"({', '.join(f'{c} {n} frames' for c, n in false if n) or 'none'})")
    lines.append(f"reps: reported {sum(r['reps_found'] for r in results)} vs true "
                 f"{sum(r['reps_true'] for r in results)}")
    checked = [r for r in results if "rep_check" in r]
    if checked:
        bad = [f"{r['clip']}: {'; '.join(r['rep_check']['problems'])}" for r in checked if r["rep_check"]["problems"]]
        lines.append(f"rep sets counted rep for rep: {sum(r['rep_check']['exact'] for r in checked)}/{len(checked)}; "
                     f"each rep's faults as true: {sum(r['rep_check']['faults_ok'] for r in checked)}/{len(checked)}"
                     + (f" ({' | '.join(bad)})" if bad else ""))
    lines.append("")
    lines.append("| fault | precision | recall | true frames |")
    lines.append("|---|---|---|---|")
    agg = defaultdict(lambda: [0, 0, 0])
    for r in results:
        for c, (tp, fp, fn) in r["faults"].items():
            a = agg[c]
            a[0] += tp
            a[1] += fp
            a[2] += fn
    for c, (tp, fp, fn) in agg.items():
        p = tp / (tp + fp) if tp + fp else None
        rc = tp / (tp + fn) if tp + fn else None
        lines.append(f"| {c} | {_fmt(p)} | {_fmt(rc)} | {tp + fn} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="only the short clips (a few minutes)")
    ap.add_argument("--clips", nargs="*", help="clip script names (default: all, or the quick set)")
    ap.add_argument("--cache", type=Path, default=Path("benchmarks/.clips"), help="where rendered clips are kept")
    ap.add_argument("--json", type=Path, help="also write per-clip results here")
    ap.add_argument("--from-json", type=Path, help="summarize per-clip results saved earlier with --json "
                    "instead of running the clips")
    ap.add_argument("--write-errors", action="store_true",
                    help=f"rewrite the signal-error table the rules read ({ERROR_TABLE.relative_to(REPO)}); "
                         "only from a full run")
    args = ap.parse_args()
    names = args.clips or (list(QUICK_SET) if args.quick else sorted(CLIP_SCRIPTS))
    args.cache.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    results = json.loads(args.from_json.read_text()) if args.from_json else []
    for name in [] if args.from_json else names:
        t1 = time.monotonic()
        r = evaluate_clip(name, args.cache)
        results.append(r)
        print(f"  {name}: {r['frames']} frames, {time.monotonic() - t1:.0f} s", flush=True)
    print()
    print(summarize(results))
    print()
    frames = sum(r["frames"] for r in results)
    found = sum(r["found"] for r in results)
    print(f"summary: {len(results)} clips, detection {found / max(frames, 1):.1%}, "
          f"{time.monotonic() - t0:.0f} s wall time")
    if args.json:
        args.json.write_text(json.dumps(results))
    if args.write_errors:
        if sorted(r["clip"] for r in results) != sorted(CLIP_SCRIPTS):
            raise SystemExit("--write-errors needs the full run: every clip script (no --quick, no --clips)")
        write_error_table(signal_error_stats(results), len(results), ERROR_TABLE)
        print(f"wrote {ERROR_TABLE}")


if __name__ == "__main__":
    main()
