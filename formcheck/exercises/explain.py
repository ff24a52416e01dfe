"""Plain-language description of an exercise file, for ``formcheck explain``."""

from __future__ import annotations

from formcheck.exercises.signal_registry import signal_units
from formcheck.exercises.spec import Criterion, ExerciseSpec

_SIGNAL_WORDS = {
    "trunk_lean": "trunk lean (hip->shoulder vs vertical, + forward)",
    "trunk_tilt": "trunk angle from vertical (0 upright, 90 lying)",
    "leg_split": "angle between the thighs (front thigh minus back thigh)",
    "shoulder_turn": "how much wider the shoulders look than the hips, from the side (a trunk twist)",
    "back_curvature": "lower-back outline curvature (from the person mask; - = flatter, i.e. pelvis tucked)",
    "knee": "knee angle (hip-knee-ankle; 180 straight)",
    "hip_ext": "signed hip extension (thigh behind the trunk line, + extension)",
    "thigh": "thigh angle from vertical (+ knee forward)",
    "shin": "shin angle from vertical (+ knee forward of ankle)",
    "bridge_line": "shoulder-hip-knee line (180 straight, < 180 hips low, > 180 hips high)",
    "hip_height": "hip height above the shoulder-knee line (thigh lengths)",
    "hip_lift": "hip height above the shoulder (thigh lengths)",
    "knee_past_toe": "knee ahead of the toes (shin lengths)",
    "elbow": "elbow angle (shoulder-elbow-wrist; 180 straight)",
    "arm_lean": "arm angle from vertical (wrist->shoulder; + shoulder in front of the wrist)",
}
_ROLE_WORDS = {"front": "front leg", "back": "back (kneeling) leg", "near": "side nearer the camera",
               "left": "left leg", "right": "right leg", "lifted": "lifted leg (foot higher off the floor)",
               "planted": "standing/supporting leg (the other one)"}


def signal_words(signal: str) -> str:
    """Human description of a signal name such as ``knee.front``."""
    base, _, role = signal.partition(".")
    words = _SIGNAL_WORDS.get(base, base)
    return f"{words}, {_ROLE_WORDS[role]}" if role else words


def criterion_words(c: Criterion) -> str:
    """E.g. 'knee angle ..., front leg: between 50 and 140 deg'."""
    u = signal_units(c.signal)
    u = "" if u == "unitless" else f" {u}"
    if c.min is not None and c.max is not None:
        rng = f"between {c.min:g} and {c.max:g}{u}"
    elif c.min is not None:
        rng = f"at least {c.min:g}{u}"
    else:
        rng = f"at most {c.max:g}{u}"
    what = signal_words(c.signal)
    if c.relative:
        what = f"change from your set-up baseline in {what}"
    return f"{what}: {rng} (dead band {c.hysteresis:g})"


def evidence_words(c: Criterion) -> str:
    """What a fault of ``c`` needs, from the signal's measured error (signal-error table)."""
    if c.error is None:
        return "error of this signal not measured: judged on the threshold alone"
    u = signal_units(c.signal)
    fmt = (lambda x: f"{x:.3f}") if u == "unitless" else (lambda x: f"{x:.1f}")
    u = "" if u == "unitless" else f" {u}"
    e = c.error
    words = (f"measured error: bias {fmt(e.bias)}{u}, 90% within {fmt(e.p90)}{u} ({e.frames} frames); a fault "
             f"needs the reading {fmt(c.margin)}{u} past the threshold, closer is borderline (counted as good form)")
    if c.within_error:
        words += ". THE THRESHOLD SITS INSIDE THE MEASUREMENT ERROR: this check cannot tell a change this small " \
                 "from none, so it never reports a fault it has no evidence for"
    return words


def explain_exercise(spec: ExerciseSpec) -> str:
    """Multi-line text: set-up, camera, timing, position checks, form criteria with cues."""
    t = spec.timing
    lines = [f"{spec.title}  [{spec.name}]", "", spec.summary, "", f"Camera: {spec.camera}", ""]
    if spec.mode == "hold":
        side = f" per side (the stretched side is {spec.side_words})" if spec.per_side else ""
        lines.append(f"Target: hold {spec.target_s:g} s of good form{side}.")
        lines.append(f"A hold starts after {t.debounce_s:g} s in position; breaks shorter than {t.grace_s:g} s "
                     "do not end it. Only seconds with every form check passing count toward the target.")
        if any(c.relative for c in spec.form):
            lines.append(f"Baseline: {t.baseline_settle_s:g} s after the hold starts, your own neutral is measured "
                         f"over {t.baseline_s:g} s — hold still in neutral, then make the correction.")
    elif spec.reps is not None:
        r = spec.reps
        u = signal_units(r.signal)
        u = "" if u == "unitless" else f" {u}"
        start = f"{r.start_above:g}{u} above it" + (
            f" (or {r.start_fraction:.0%} of your typical top height in this set, if more)" if r.start_fraction else "")
        side = f" Reps are counted per side (the side is {spec.side_words})." if spec.per_side else ""
        lines.append(f"Reps: measured as {signal_words(r.signal)} above your resting level (its low point "
                     f"over the last {r.floor_window_s:g} s in position between reps). A rep is a lift from there "
                     f"and a return: it starts {start} and ends back within {r.end_below:g}{u} of that level; "
                     f"lifts shorter than {r.min_rep_s:g} s are no rep. 'At the top' = within "
                     f"{r.top_fraction:.0%} of the rep's own peak and still for {r.top_settle_s:g} s, so a shallow "
                     f"rep is judged at its own top. Aim for {spec.target_s:g} s at the top of each rep.{side}")
    lines += ["", "In position when all of these hold:"]
    lines += [f"  - {c.why or c.id}: {criterion_words(c)}" for c in spec.position]
    lines += ["", "Form checks (fault code -> what you will be told):"]
    for c in spec.form_by_priority:
        when = " [judged at the top of each rep]" if c.when == "top" else ""
        lines.append(f"  - {c.code}: {c.message}{when}")
        lines.append(f"      passes when {criterion_words(c)}")
        lines.append(f"      evidence: {evidence_words(c)}")
        lines.append(f"      cue: \"{c.cue}\"")
        if c.why:
            lines.append(f"      why: {c.why}")
    if spec.outcomes:
        lines += ["", "Measured and reported per hold, never judged:"]
        lines += [f"  - {o.label} ({signal_words(o.signal)}): over the hold and as the change from your neutral at "
                  f"its start{'; ' + o.why if o.why else ''}" for o in spec.outcomes]
    lines += ["", "A check whose landmarks are hidden or out of frame is 'not judged' (never guessed);",
              "the report says which and why. Form feedback, not a diagnosis: stop on sharp pain."]
    return "\n".join(lines)
