"""The signal names an exercise file may use, with their units: the contract between the
exercise files and the judging code that computes the signals (:mod:`formcheck.judge.signals`).

* ``trunk_lean`` (deg, + forward), ``trunk_tilt`` (deg from vertical, unsigned: 0 upright,
  90 lying), ``leg_split`` (deg between the thighs: front thigh angle minus back thigh angle),
  ``back_curvature`` (back-outline curvature, unitless; from the segmentation mask),
  ``shoulder_turn`` (trunk lengths, + shoulders look wider than the hips: a trunk twist seen from the side).
* ``<angle>.<role>`` for every per-side angle in :data:`PER_LEG` (legs, plus ``elbow``: shoulder-elbow-wrist
  angle, deg, 180 straight; ``arm_lean``: wrist->shoulder line from vertical, deg, + shoulder forward of the
  wrist; an arm takes the side of its role's leg) and role ``front`` / ``back``
  (the leg whose knee is further forward / behind: in the kneeling lunge the back leg kneels),
  ``near`` (the side nearer the camera), ``lifted`` / ``planted`` (the leg whose ankle is higher in
  the image / the other leg: the held foot of a standing quad stretch, the kicking leg on all fours),
  ``left`` / ``right``.
"""

from __future__ import annotations

#: Body roles a per-leg angle can be read for.
ROLES = ("front", "back", "near", "lifted", "planted", "left", "right")
#: Signals that are not per leg.
PLAIN_SIGNALS = ("trunk_lean", "trunk_tilt", "leg_split", "back_curvature", "shoulder_turn")
#: Signals measured on the outline of the person mask, not on the landmarks: the mask is only
#: computed for an exercise that asks for it (``needs_outline = true``), else they are never measured.
OUTLINE_SIGNALS = ("back_curvature",)
#: Per-side quantities (the judging code computes each for the left and the right side).
PER_LEG = ("hip_ext", "thigh", "knee", "shin", "bridge_line", "hip_height", "hip_lift", "knee_past_toe", "elbow",
           "arm_lean")
#: Units of each quantity; anything not listed is unitless.
UNITS = {
    "trunk_lean": "deg",
    "trunk_tilt": "deg",
    "shoulder_turn": "trunk lengths",
    "leg_split": "deg",
    "hip_ext": "deg",
    "thigh": "deg",
    "knee": "deg",
    "shin": "deg",
    "bridge_line": "deg",
    "hip_height": "thigh lengths",
    "hip_lift": "thigh lengths",
    "knee_past_toe": "shin lengths",
    "elbow": "deg",
    "arm_lean": "deg",
}


def signal_units(name: str) -> str:
    """Units of a signal: "deg", "thigh lengths", "shin lengths" or "unitless" (curvature)."""
    return UNITS.get(name.partition(".")[0], "unitless")


def is_known_signal(name: str) -> bool:
    """True when ``name`` is a signal the rules can read."""
    if name in PLAIN_SIGNALS:
        return True
    base, _, role = name.partition(".")
    return base in PER_LEG and role in ROLES


def needs_outline(name: str) -> bool:
    """True when ``name`` is read from the person-mask outline (the exercise must set ``needs_outline``)."""
    return name in OUTLINE_SIGNALS


def signal_help() -> str:
    """One line listing the valid signal names."""
    return f"known: {', '.join(PLAIN_SIGNALS)}, or <{'|'.join(PER_LEG)}>.<{'|'.join(ROLES)}>"
