"""The analysis rate: which frames of a source the pose model sees.

A stretch is held still for 30 s to minutes and a bridge rep takes 2-4 s, so the pose model need
not run on all 30 or 60 frames of every second. At ``--rate HZ`` the video's time line is cut into
slots ``1/HZ`` s long and the first frame in each slot is analysed; the others are only grabbed
(no colour conversion, no resize) and, in the annotated video, carry the overlay of the analysed
frame before them. The choice depends on timestamps only (never on index x nominal fps), so it is
the same whoever reads the source and from wherever (pose workers that start at a span, the
drawing pass), and a variable-frame-rate video is sampled evenly in time.
"""

from __future__ import annotations

import math

from formcheck.errors import InputError

DEFAULT_RATE = "15"  # --rate default (Hz); chosen by agreement with full rate (README, "Analysis rate")
MIN_RATE_HZ = 1.0  # slower than this, a 0.5 s hold start or a 2 s rep would be seen by one or two frames
# A frame counts toward a slot a quarter of a frame early: timestamps in whole milliseconds
# (66 ms for 2/30 s) must not push a frame that starts a slot into the previous one.
SLOT_TOLERANCE_FRAMES = 0.25


def parse_rate(text: str) -> float | None:
    """``--rate``: frames analysed per second of video (at least ``MIN_RATE_HZ``), or ``full``
    (every frame: None)."""
    if text.strip().lower() == "full":
        return None
    try:
        hz = float(text)
    except ValueError:
        raise InputError(f"--rate must be a number of frames per second or 'full', got '{text}'") from None
    if not math.isfinite(hz) or hz < MIN_RATE_HZ:
        raise InputError(f"--rate must be at least {MIN_RATE_HZ:g} frames per second (or 'full'), got '{text}'")
    return hz


def rate_label(hz: float | None) -> str:
    """The rate as the user would type it: ``15`` or ``full``."""
    return "full" if hz is None else f"{hz:g}"


def is_analysed(t: float, prev_t: float | None, hz: float | None, fps: float) -> bool:
    """True when the frame at ``t`` s is analysed at ``hz`` (None: every frame): it is the first
    frame (``prev_t`` None) or its slot differs from that of the frame before it at ``prev_t`` s.
    ``fps`` is the source's nominal rate, used only for the slot tolerance."""
    if hz is None or prev_t is None:
        return True
    early = SLOT_TOLERANCE_FRAMES / (fps if fps > 0 else 30.0)
    return math.floor((t + early) * hz) != math.floor((prev_t + early) * hz)
