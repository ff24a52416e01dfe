"""``angles.mot``: the judged angles per frame as an OpenSim Storage (.mot) file.

Header (``name``, ``version=1``, ``nRows``, ``nColumns`` counting the time column, ``inDegrees=yes``,
``endheader``), then a tab-separated row of column names and one row per frame. Columns are
``time`` (seconds, the frame timestamp) and every degree-valued signal the exercise judges, named
as in frames.csv with the dot replaced by an underscore (``hip_ext.back`` -> ``hip_ext_back``;
OpenSim column names are identifiers). Signals in other units (thigh lengths, curvature) are left out.

Unknown values are written ``NaN``: formcheck never fills a hidden joint with a guess. OpenSim's
reader parses NaN, but filters and tools downstream propagate it; drop or fill those rows there
if a tool needs a complete table.
"""

from __future__ import annotations

import math
from pathlib import Path

from formcheck.exercises.signal_registry import signal_units
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.session import SessionResult
from formcheck.media.outfiles import write_text_atomic


def mot_signals(spec: ExerciseSpec) -> list[str]:
    """The exercise's signals that are angles in degrees, in frames.csv order."""
    return [s for s in spec.signals if signal_units(s) == "deg"]


def mot_column(signal: str) -> str:
    """Column name of a signal in the .mot file."""
    return signal.replace(".", "_")


def write_mot(result: SessionResult, path: Path, name: str = "angles") -> None:
    """Write the per-frame judged angles (degrees) of ``result`` to ``path`` in OpenSim .mot format."""
    signals = mot_signals(result.spec)
    lines = [name, "version=1", f"nRows={len(result.frames)}", f"nColumns={len(signals) + 1}", "inDegrees=yes",
             "endheader", "\t".join(["time", *(mot_column(s) for s in signals)])]
    for f in result.frames:
        vals = [f.values.get(s, math.nan) for s in signals]
        lines.append("\t".join([f"{f.t:.6f}", *(f"{v:.4f}" if math.isfinite(v) else "NaN" for v in vals)]))
    write_text_atomic(path, "\n".join(lines) + "\n")
