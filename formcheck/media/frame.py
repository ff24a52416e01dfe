"""The frame type every stage shares, and what is known about a source: plain data, no OpenCV,
so the pose and judging stages can use them without importing the readers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One frame: ``index`` in the source, ``t`` seconds from its start, ``image`` BGR uint8."""

    index: int
    t: float
    image: np.ndarray


@dataclass
class SourceInfo:
    """What is known about a source before and while reading it.

    ``frame_count`` is the container's claim (0 when unknown); ``decode_errors`` collects
    problems met while reading (a truncated file, an undecodable frame) so a report can say
    what was lost instead of failing. ``rotation`` is how many degrees clockwise a video's frames
    were turned to stand upright (its display-rotation metadata: 0, 90, 180 or 270); ``width`` and
    ``height`` are those of the upright frames. ``notes`` says what was done to the frames on
    reading (turned upright, own output files skipped), for the report. ``analysis_rate_hz`` is the
    most frames per second of it the pose model was asked to analyse (None: every frame).
    """

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    kind: str
    decode_errors: list[str] = field(default_factory=list)
    rotation: int = 0
    notes: list[str] = field(default_factory=list)
    analysis_rate_hz: float | None = None

    @property
    def nominal_duration_s(self) -> float:
        """Container duration in seconds (frame_count / fps), 0 when unknown."""
        return self.frame_count / self.fps if self.fps > 0 and self.frame_count > 0 else 0.0
