"""Fault labels of synthetic clips, computed from the ground-truth angles and pelvic tilt.

The thresholds are the exercise rules' starting values (EXERCISES.md); they define the labels
of the synthetic clips, and scripts keep true values well away from them except while moving
between a good and a faulty pose.

Where faults are judged: lunge and supported bridge inside the script's ``holds``; bridge inside
each rep's top window. Pelvic tilt is judged relative to the median true tilt over the script's
``baseline`` window (the neutral set-up); supported-bridge hip height relative to the median
over the first second of the hold.
"""

from __future__ import annotations

import numpy as np

from formcheck.synth.script import ClipScript

FAULT_RULES: dict[str, dict[str, str]] = {
    "kneeling-hip-flexor": {
        "trunk_forward": "trunk_lean > 15 deg",
        "back_arched": "trunk_lean < -5 deg, or pelvic tilt < -5 deg relative to the baseline (anterior)",
        "no_pelvic_tilt": "pelvic tilt less than +5 deg (posterior) from the baseline: no posterior tilt",
        "hip_flexed": "hip_ext of the kneeling (back) leg < 0 deg (thigh in front of the trunk line)",
        "front_knee_forward": "front knee angle < 75 deg, or knee_past_toe of the front leg > 0.25 shin",
        "front_knee_back": "front knee angle > 115 deg",
    },
    "bridge": {
        "hips_low": "bridge_line < 165 deg (at the top of a rep)",
        "hips_overarched": "bridge_line > 190 deg (at the top of a rep)",
        "feet_too_far": "knee angle > 110 deg (at the top of a rep)",
        "feet_too_close": "knee angle < 65 deg (at the top of a rep)",
    },
    "low-lunge-twist": {
        "trunk_forward": "trunk_lean > 15 deg",
        "back_arched": "trunk_lean < -10 deg",
        "hip_flexed": "hip_ext of the kneeling (back) leg < 0 deg (thigh in front of the trunk line)",
        "front_knee_forward": "front knee angle < 75 deg, or knee_past_toe of the front leg > 0.25 shin",
        "front_knee_back": "front knee angle > 115 deg",
    },
    "standing-quad-stretch": {
        "knee_forward": "thigh angle of the held (lifted) leg > 15 deg (knee forward of the hip)",
        "heel_far": "knee angle of the held leg > 60 deg",
        "trunk_forward": "trunk_lean > 15 deg",
        "back_arched": "trunk_lean < -10 deg, or hip_ext of the held leg > 25 deg",
    },
    "glute-kickback": {
        "kick_low": "hip_ext of the kicking leg < 0 deg at the top of a rep (thigh below the trunk line)",
        "back_arched": "hip_ext of the kicking leg > 35 deg at the top of a rep",
    },
    "upward-dog": {
        "arms_bent": "elbow angle < 150 deg (near side)",
        "shoulders_forward": "arm_lean > 15 deg (shoulder in front of the wrist, near side)",
        "shoulders_back": "arm_lean < -15 deg",
        "hips_high": "hip_ext < 30 deg (near side)",
        "knees_down": "knee angle < 168 deg (near side)",
    },
    "supported-bridge": {
        "hips_dropped": "hip_lift fell by more than 0.10 thigh lengths below its median over the "
                        "first 1 s of the hold",
    },
}


def _within(t: np.ndarray, windows) -> np.ndarray:
    m = np.zeros(t.shape, bool)
    for a, b in windows:
        m |= (t >= a - 1e-9) & (t <= b + 1e-9)
    return m


def _both(ang: dict[str, np.ndarray], name: str) -> np.ndarray:
    return 0.5 * (ang[f"{name}_left"] + ang[f"{name}_right"])


def label_faults(script: ClipScript, t: np.ndarray, ang: dict[str, np.ndarray],
                 tilt: np.ndarray, everywhere: bool = False) -> list[list[str]]:
    """Per-frame lists of fault codes (see :data:`FAULT_RULES`), inside the judging windows only, or on
    every frame with ``everywhere`` (e.g. to tell good form while moving into and out of a hold)."""
    n = len(t)
    flags: dict[str, np.ndarray] = {}
    ex = script.exercise
    if ex == "kneeling-hip-flexor":
        back = script.side or "left"
        front = "right" if back == "left" else "left"
        judge = _within(t, [(h.start_s, h.end_s) for h in script.holds])
        base = script.baseline
        t0 = float(np.median(tilt[_within(t, [(base.start_s, base.end_s)])])) if base else 0.0
        rel = tilt - t0
        trunk = ang["trunk_lean"]
        flags["trunk_forward"] = trunk > 15
        flags["back_arched"] = (trunk < -5) | (rel < -5)
        flags["no_pelvic_tilt"] = rel < 5  # no posterior tilt of 5 deg (an anterior tilt has none either)
        flags["hip_flexed"] = ang[f"hip_ext_{back}"] < 0
        flags["front_knee_forward"] = (ang[f"knee_{front}"] < 75) | (ang[f"knee_past_toe_{front}"] > 0.25)
        flags["front_knee_back"] = ang[f"knee_{front}"] > 115
    elif ex == "low-lunge-twist":
        back = script.side or "left"
        front = "right" if back == "left" else "left"
        judge = _within(t, [(h.start_s, h.end_s) for h in script.holds])
        trunk = ang["trunk_lean"]
        flags["trunk_forward"] = trunk > 15
        flags["back_arched"] = trunk < -10
        flags["hip_flexed"] = ang[f"hip_ext_{back}"] < 0
        flags["front_knee_forward"] = (ang[f"knee_{front}"] < 75) | (ang[f"knee_past_toe_{front}"] > 0.25)
        flags["front_knee_back"] = ang[f"knee_{front}"] > 115
    elif ex == "standing-quad-stretch":
        held = script.side or "left"
        judge = _within(t, [(h.start_s, h.end_s) for h in script.holds])
        trunk = ang["trunk_lean"]
        flags["knee_forward"] = ang[f"thigh_{held}"] > 15
        flags["heel_far"] = ang[f"knee_{held}"] > 60
        flags["trunk_forward"] = trunk > 15
        flags["back_arched"] = (trunk < -10) | (ang[f"hip_ext_{held}"] > 25)
    elif ex == "bridge":
        judge = _within(t, [(r.top_start_s, r.top_end_s) for r in script.reps])
        line, knee = _both(ang, "bridge_line"), _both(ang, "knee")
        flags["hips_low"] = line < 165
        flags["hips_overarched"] = line > 190
        flags["feet_too_far"] = knee > 110
        flags["feet_too_close"] = knee < 65
    elif ex == "glute-kickback":
        judge = _within(t, [(r.top_start_s, r.top_end_s) for r in script.reps])
        kick = np.full(len(t), np.nan)
        for r in script.reps:  # the kicking leg of each rep, from its start to its end
            m = _within(t, [(r.start_s, r.end_s)])
            kick[m] = ang[f"hip_ext_{r.side or 'left'}"][m]
        flags["kick_low"] = kick < 0
        flags["back_arched"] = kick > 35
    elif ex == "upward-dog":
        near = "right" if script.facing == 1 else "left"
        judge = _within(t, [(h.start_s, h.end_s) for h in script.holds])
        flags["arms_bent"] = ang[f"elbow_{near}"] < 150
        flags["shoulders_forward"] = ang[f"arm_lean_{near}"] > 15
        flags["shoulders_back"] = ang[f"arm_lean_{near}"] < -15
        flags["hips_high"] = ang[f"hip_ext_{near}"] < 30
        flags["knees_down"] = ang[f"knee_{near}"] < 168
    elif ex == "supported-bridge":
        judge = _within(t, [(h.start_s, h.end_s) for h in script.holds])
        lift = _both(ang, "hip_lift")
        if script.holds:
            h0 = script.holds[0].start_s
            base_lift = float(np.median(lift[(t >= h0) & (t <= h0 + 1.0)]))
        else:
            base_lift = float(np.nanmax(lift))
        flags["hips_dropped"] = lift < base_lift - 0.10
    else:
        raise ValueError(f"unknown exercise {ex!r}")
    order = list(FAULT_RULES[ex])
    return [[c for c in order if (everywhere or judge[i]) and bool(flags[c][i])] for i in range(n)]
