"""The measured error of each signal (``signal_errors.toml`` beside the exercise files, written by
``python benchmarks/accuracy.py --write-errors``): a form rule fails only when its reading is past
the threshold by more than the signal's margin, and is *borderline* in between."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tomllib

from formcheck.errors import ExerciseFileError
from formcheck.exercises.signal_registry import is_known_signal, signal_units

ERROR_TABLE = Path(__file__).resolve().parent / "measured" / "signal_errors.toml"
CHANGE = ".change"  # suffix of a relative signal's entry: the error of its change from the neutral


@dataclass(frozen=True)
class SignalError:
    """Measured error of one signal (reading minus truth), in the signal's units.

    ``bias``: median error; ``mae``: mean |error|; ``p90``: 90th percentile of |error| — the
    margin the rules use; ``frames``: how many frames it was measured on.
    """

    signal: str
    unit: str
    bias: float
    mae: float
    p90: float
    frames: int

    @property
    def margin(self) -> float:
        """How far past a threshold a reading must be before it counts as evidence (signal units)."""
        return self.p90


def error_key(signal: str, relative: bool) -> str:
    """The table entry for ``signal``: ``<signal>.change`` when it is judged relative to the neutral."""
    return signal + CHANGE if relative else signal


@cache
def load_signal_errors(path: Path = ERROR_TABLE) -> dict[str, SignalError]:
    """Read and validate the table; errors name the file, the key and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ExerciseFileError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ExerciseFileError(f"{path}: cannot read the signal-error table: {e}") from None
    out: dict[str, SignalError] = {}
    for key, entry in data.items():
        base = key[:-len(CHANGE)] if key.endswith(CHANGE) else key
        if not is_known_signal(base):
            raise ExerciseFileError(f"{path}: key '{key}': not a known signal")
        if not isinstance(entry, dict):
            raise ExerciseFileError(f"{path}: key '{key}': must be a table")
        nums: dict[str, float] = {}
        for name in ("bias", "mae", "p90"):
            v = entry.get(name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ExerciseFileError(f"{path}: key '{key}.{name}': must be a finite number, got {v!r}")
            nums[name] = float(v)
        if nums["p90"] < 0 or nums["mae"] < 0:
            raise ExerciseFileError(f"{path}: key '{key}': mae and p90 must be >= 0")
        frames = entry.get("frames")
        if isinstance(frames, bool) or not isinstance(frames, int) or frames <= 0:
            raise ExerciseFileError(f"{path}: key '{key}.frames': must be a whole number > 0, got {frames!r}")
        unit = entry.get("unit")
        if unit != signal_units(base):
            raise ExerciseFileError(f"{path}: key '{key}.unit': must be '{signal_units(base)}', got {unit!r}")
        out[key] = SignalError(key, unit, nums["bias"], nums["mae"], nums["p90"], frames)
    return out
