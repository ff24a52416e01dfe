"""The side words the judging uses. A body side is ``"left"`` or ``"right"`` (MediaPipe's, i.e. the
person's own); where no side is known the value is ``None`` — the one "no side". Holds and reps are
booked to a body side, to :data:`BOTH` for an exercise not timed per side, or to :data:`UNKNOWN_SIDE`
when it is timed per side but the side could not be told."""

from __future__ import annotations

from typing import Final, Literal

Side = Literal["left", "right"]
HoldSide = Literal["left", "right", "both", "unknown"]

BOTH: Final = "both"
UNKNOWN_SIDE: Final = "unknown"
