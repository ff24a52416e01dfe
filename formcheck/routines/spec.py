"""Load and validate routine files (TOML): a title, notes, a weekly plan and ordered steps.

A step names an exercise (a bundled name, or a ``.toml`` path relative to the routine file), the
side ("left"/"right" for an exercise timed per side, "both" otherwise), a target (``target_s``
seconds of good form for a hold, ``target_reps`` for a reps exercise) and the rest in seconds before
the next step. Every problem is one :class:`~formcheck.errors.ExerciseFileError` line (exit 4) naming
the routine file, the key and the problem; a step's exercise file is loaded and validated too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.errors import ExerciseFileError, FormcheckError, InputError
from formcheck.exercises.spec import ExerciseSpec, TableReader, load_exercise
from formcheck.exercises.toml_read import read_toml

ROUTINE_DIR = Path(__file__).resolve().parent
STEP_SIDES = ("left", "right", "both")


@dataclass(frozen=True)
class Plan:
    """How often the routine is done: ``sessions_per_day`` from min to max (e.g. "once or twice a
    day": 1 to 2) on ``days_per_week`` days."""

    sessions_per_day_min: int
    sessions_per_day_max: int
    days_per_week: int


@dataclass(frozen=True)
class RoutineStep:
    """One step: an exercise on one side ("both" when not timed per side), to a target of
    ``target_s`` seconds of good form (holds) or ``target_reps`` reps, then ``rest_s`` seconds of
    rest before the next step. ``why``: where the step comes from, shown by ``explain-routine``."""

    exercise: ExerciseSpec
    side: str
    target_s: float | None
    target_reps: int | None
    rest_s: float
    why: str = ""

    @property
    def label(self) -> str:
        """E.g. 'kneeling-hip-flexor (left)' or 'bridge'."""
        return self.exercise.name if self.side == "both" else f"{self.exercise.name} ({self.side})"


@dataclass(frozen=True)
class RoutineSpec:
    """A whole routine, steps in the order they are done."""

    name: str
    title: str
    notes: str
    plan: Plan
    steps: tuple[RoutineStep, ...]
    path: str

    @property
    def exercises(self) -> tuple[ExerciseSpec, ...]:
        """The distinct exercises of the steps, in first-use order."""
        return tuple({s.exercise.name: s.exercise for s in self.steps}.values())


def available_routines() -> list[str]:
    """Names of the bundled routines (file stems in ``formcheck/routines``)."""
    return sorted(p.stem for p in ROUTINE_DIR.glob("*.toml"))


def load_routine(name_or_path: str) -> RoutineSpec:
    """Load a bundled routine by name, or any routine file by path (exit 2 when neither exists)."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise InputError(f"{p}: routine file not found")
        return load_routine_file(p)
    path = ROUTINE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(available_routines())
        raise InputError(f"unknown routine '{name_or_path}' — choose one of: {known} (or give a .toml path)")
    return load_routine_file(path)


def load_routine_file(path: Path) -> RoutineSpec:
    """Parse and validate one routine TOML file, loading each step's exercise."""
    data = read_toml(path, kind="routine")
    r = TableReader(data, path, "")
    r.unknown_keys({"name", "title", "notes", "plan", "step"})
    pr = TableReader(r.get("plan", dict), path, "plan.")
    pr.unknown_keys({"sessions_per_day_min", "sessions_per_day_max", "days_per_week"})
    lo = pr.get("sessions_per_day_min", int)
    hi = pr.get("sessions_per_day_max", int, lo)
    days = pr.get("days_per_week", int)
    if not 1 <= lo <= 24:
        raise pr.fail("sessions_per_day_min", f"must be 1 to 24, got {lo}")
    if not lo <= hi <= 24:
        raise pr.fail("sessions_per_day_max", f"must be from sessions_per_day_min ({lo}) to 24, got {hi}")
    if not 1 <= days <= 7:
        raise pr.fail("days_per_week", f"must be 1 to 7, got {days}")
    steps_raw = r.entries("step", required=True)
    if not steps_raw:
        raise r.fail("step", "needs at least one [[step]]")
    steps = tuple(_step(t, path, f"step[{i}].") for i, t in enumerate(steps_raw))
    return RoutineSpec(name=r.get("name", str), title=r.get("title", str), notes=r.get("notes", str, ""),
                       plan=Plan(lo, hi, days), steps=steps, path=str(path))


def _step(table: Any, path: Path, where: str) -> RoutineStep:
    if not isinstance(table, dict):
        raise ExerciseFileError(f"{path}: key '{where}': must be a table of step keys")
    r = TableReader(table, path, where)
    r.unknown_keys({"exercise", "side", "target_s", "target_reps", "rest_s", "why"})
    exercise = _exercise(r, path)
    side = r.get("side", str, "both")
    if side not in STEP_SIDES:
        raise r.fail("side", f"must be one of {', '.join(STEP_SIDES)}, got '{side}'")
    if exercise.per_side and side == "both":
        raise r.fail("side", f"'{exercise.name}' is timed per side: give \"left\" or \"right\" (one step per side)")
    if not exercise.per_side and side != "both":
        raise r.fail("side", f"'{exercise.name}' is not timed per side: use \"both\" (or leave it out)")
    target_s, reps = r.get("target_s", float, None), r.get("target_reps", int, None)
    if exercise.mode == "hold":
        if reps is not None:
            raise r.fail("target_reps", f"'{exercise.name}' is a hold: give target_s (seconds of good form)")
        target_s = exercise.target_s if target_s is None else target_s
        if target_s <= 0:
            raise r.fail("target_s", "must be > 0 seconds")
    else:
        if target_s is not None:
            raise r.fail("target_s", f"'{exercise.name}' counts reps: give target_reps")
        if reps is None:
            raise r.fail("target_reps", "missing (required for a reps exercise)")
        if not 1 <= reps <= 1000:
            raise r.fail("target_reps", f"must be 1 to 1000, got {reps}")
    rest = r.get("rest_s", float, 0.0)
    if not 0 <= rest <= 3600:
        raise r.fail("rest_s", f"must be 0 to 3600 seconds, got {rest:g}")
    return RoutineStep(exercise, side, target_s, reps, rest, r.get("why", str, ""))


def _exercise(r: TableReader, path: Path) -> ExerciseSpec:
    """The step's exercise: a bundled name or a .toml path (relative to the routine file's folder).
    A missing or unknown one is a fault of the routine file; a broken exercise file keeps its own message."""
    name = r.get("exercise", str)
    ref = name
    if name.endswith(".toml") and not Path(name).is_absolute():
        ref = str(path.parent / name)
    try:
        return load_exercise(ref)
    except ExerciseFileError:
        raise
    except FormcheckError as e:
        raise r.fail("exercise", str(e)) from None
