"""Load and validate exercise files (TOML). Errors name the file, the key and the problem."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from formcheck.errors import ExerciseFileError, InputError
from formcheck.exercises.signal_errors import SignalError, error_key, load_signal_errors
from formcheck.exercises.signal_registry import is_known_signal, needs_outline, signal_help
from formcheck.exercises.toml_read import read_toml

EXERCISE_DIR = Path(__file__).resolve().parent
MODES = ("hold", "reps")
#: ``sides`` values: which leg role decides the stretched (worked) side of a per-side exercise, and
#: how explain names it; "none" = one-sided (booked to "both"). Roles: formcheck.exercises.signal_registry.
SIDE_ROLES = {"back_leg": ("back", "the back (kneeling) leg"),
              "lifted_leg": ("lifted", "the lifted leg, whose foot is off the floor")}
SIDE_MODES = (*SIDE_ROLES, "none")
# At most this many [[position]], [[form]] and [[outcome]] entries each: far above any real exercise
# (the bundled ones have at most 7), as every criterion is judged on every frame. The file's size and
# key depth are limited before parsing (:mod:`formcheck.exercises.toml_read`).
MAX_ENTRIES = 500


@dataclass(frozen=True)
class Criterion:
    """One rule on one signal: passes while ``min <= value <= max`` (either bound optional).

    ``hysteresis`` (signal units) is the width of the dead band around each bound: a passing
    criterion fails only beyond ``bound + h/2``; a failing one passes again only inside
    ``bound - h/2``. ``relative`` judges the change from the hold's baseline instead of the value.
    ``error``: the signal's measured error (form criteria; None when not measured): a reading
    past a bound by no more than its :attr:`margin` is borderline, not a fault.
    """

    id: str
    signal: str
    min: float | None
    max: float | None
    hysteresis: float
    relative: bool = False
    code: str = ""
    message: str = ""
    cue: str = ""
    priority: int = 100
    when: str = "always"
    why: str = ""
    baseline_tolerance: float = math.inf
    error: SignalError | None = None

    @property
    def margin(self) -> float:
        """How far past a bound (signal units) a reading must be to count as a fault: the signal's
        measured error (90th percentile of |reading - truth|), 0 when it was not measured."""
        return self.error.margin if self.error is not None else 0.0

    @property
    def bounds(self) -> tuple[float, ...]:
        """The criterion's bounds that are set (min and/or max)."""
        return tuple(b for b in (self.min, self.max) if b is not None)

    @property
    def within_error(self) -> bool:
        """True when a relative criterion's bound is no farther from zero change than the change's
        measured error: the product cannot tell that change from none, so it cannot judge it."""
        return self.relative and self.error is not None and all(abs(b) <= self.margin for b in self.bounds)


@dataclass(frozen=True)
class Outcome:
    """A signal measured and reported per hold (absolute and as the change from the hold's
    neutral), never judged: e.g. how far the hip extends in the kneeling stretch."""

    signal: str
    label: str
    why: str = ""


@dataclass(frozen=True)
class Timing:
    """Hold timing in seconds: debounce before a hold starts, grace for short breaks, baseline window."""

    debounce_s: float = 0.5
    grace_s: float = 1.0
    baseline_settle_s: float = 0.5
    baseline_s: float = 1.0


@dataclass(frozen=True)
class RepsSpec:
    """Rep detection on one signal, as heights above the person's resting level (signal units):
    a rep starts ``start_above`` over it (or ``start_fraction`` of the set's typical top, if
    larger) and ends back within the same level scaled by ``end_below / start_above``, or under
    ``end_fraction`` of its own peak once still; 'at the top'
    = within ``top_fraction`` of the rep's own peak and slower than ``top_max_rate`` per second
    for ``top_settle_s`` seconds; a lift shorter than ``min_rep_s`` seconds is no rep."""

    signal: str
    start_above: float
    end_below: float
    top_fraction: float
    top_max_rate: float
    floor_window_s: float = 6.0
    start_fraction: float = 0.0
    top_settle_s: float = 0.2
    min_rep_s: float = 0.5
    end_fraction: float = 0.0


@dataclass(frozen=True)
class ExerciseSpec:
    """A whole exercise: what 'in position' means, the form criteria, the timing and target."""

    name: str
    title: str
    summary: str
    camera: str
    mode: str
    sides: str
    target_s: float
    needs_outline: bool
    timing: Timing
    position: tuple[Criterion, ...]
    form: tuple[Criterion, ...]
    reps: RepsSpec | None
    path: str
    outcomes: tuple[Outcome, ...] = ()

    @cached_property
    def form_by_priority(self) -> tuple[Criterion, ...]:
        """The form criteria, most urgent first (lower ``priority``; file order among equals)."""
        return tuple(sorted(self.form, key=lambda c: c.priority))

    @cached_property
    def criterion_by_code(self) -> dict[str, Criterion]:
        """The first (most urgent) form criterion of each fault code, in priority order."""
        out: dict[str, Criterion] = {}
        for c in self.form_by_priority:
            out.setdefault(c.code, c)
        return out

    @property
    def fault_codes(self) -> tuple[str, ...]:
        """Distinct fault codes, in priority order."""
        return tuple(self.criterion_by_code)

    @property
    def per_side(self) -> bool:
        """True when holds and reps are timed per side (the side of the leg role ``sides`` names)."""
        return self.sides in SIDE_ROLES

    @property
    def side_role(self) -> str:
        """The leg role that decides the side ("back", "lifted"), "" when not timed per side."""
        return SIDE_ROLES[self.sides][0] if self.per_side else ""

    @property
    def side_words(self) -> str:
        """Which leg is the stretched side, in words ("" when not timed per side)."""
        return SIDE_ROLES[self.sides][1] if self.per_side else ""

    @property
    def report_sides(self) -> tuple[str, ...]:
        """The sides a report lists: left and right when timed per side, else the one "both"."""
        return ("left", "right") if self.per_side else ("both",)

    @property
    def signals(self) -> tuple[str, ...]:
        """Every signal the exercise reads, in first-use order."""
        names = [c.signal for c in (*self.position, *self.form)] + [o.signal for o in self.outcomes]
        if self.reps:
            names.append(self.reps.signal)
        return tuple(dict.fromkeys(names))


def available_exercises() -> list[str]:
    """Names of the bundled exercises (file stems in ``formcheck/exercises``)."""
    return sorted(p.stem for p in EXERCISE_DIR.glob("*.toml"))


def load_exercise(name_or_path: str) -> ExerciseSpec:
    """Load a bundled exercise by name, or any exercise file by path."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise InputError(f"{p}: exercise file not found")
        return load_exercise_file(p)
    path = EXERCISE_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(available_exercises())
        raise InputError(f"unknown exercise '{name_or_path}' — choose one of: {known} (or give a .toml path)")
    return load_exercise_file(path)


def load_exercise_file(path: Path) -> ExerciseSpec:
    """Parse and validate one exercise TOML file."""
    return _build(read_toml(path), path)


def _show(value: Any, limit: int = 60) -> str:
    """``value`` for an error message: quoted, escaped onto one line and cut to about ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} characters)"


class _Reader:
    """Typed access to a TOML table that raises ExerciseFileError naming file and key."""

    def __init__(self, table: dict[str, Any], path: Path, where: str) -> None:
        self.t, self.path, self.where = table, path, where

    def fail(self, key: str, problem: str) -> ExerciseFileError:
        """The error for ``key`` of this table (the key is escaped onto one line: it may come from the file)."""
        return ExerciseFileError(f"{self.path}: key '{self.where}{_show(key)[1:-1]}': {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.t:
            if default is ...:
                raise self.fail(key, "missing (required)")
            return default
        v = self.t[key]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v) if abs(v) < 1e300 else math.inf  # beyond that float() overflows
        if not isinstance(v, kind) or (kind in (int, float) and isinstance(v, bool)):
            name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"must be a {name}, got {type(v).__name__} {_show(v)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise self.fail(key, f"must be a finite number, got {_show(self.t[key])}")
        return v

    def entries(self, key: str, required: bool) -> list[Any]:
        """An array of tables such as ``[[form]]``, at most :data:`MAX_ENTRIES` long."""
        items: list[Any] = self.get(key, list) if required else self.get(key, list, [])
        if len(items) > MAX_ENTRIES:
            raise self.fail(key, f"{len(items)} entries, at most {MAX_ENTRIES} allowed (real exercises have under 10)")
        return items

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.t) - allowed)
        if extra:
            raise self.fail(extra[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")


# The typed table reader, for other TOML data files validated the same way (routine files).
TableReader = _Reader


_CRITERION_KEYS = {"id", "signal", "min", "max", "hysteresis", "relative", "code", "message", "cue",
                   "priority", "when", "why", "baseline_tolerance"}


def _criterion(table: Any, path: Path, where: str, is_form: bool) -> Criterion:
    if not isinstance(table, dict):
        raise ExerciseFileError(f"{path}: key '{where}': must be a table of criterion keys")
    r = _Reader(table, path, where)
    r.unknown_keys(_CRITERION_KEYS)
    signal = r.get("signal", str)
    if not is_known_signal(signal):
        raise r.fail("signal", f"unknown signal {_show(signal)} ({signal_help()})")
    lo, hi = r.get("min", float, None), r.get("max", float, None)
    if lo is None and hi is None:
        raise r.fail("min", "a criterion needs 'min', 'max' or both")
    if lo is not None and hi is not None and lo >= hi:
        raise r.fail("min", f"min ({lo}) must be below max ({hi})")
    hyst = r.get("hysteresis", float, 0.0)
    if hyst < 0:
        raise r.fail("hysteresis", "must be >= 0")
    when = r.get("when", str, "always")
    if when not in ("always", "top"):
        raise r.fail("when", f"must be 'always' or 'top', got {_show(when)}")
    code = r.get("code", str) if is_form else r.get("code", str, "")
    return Criterion(
        id=r.get("id", str), signal=signal, min=lo, max=hi, hysteresis=hyst,
        relative=r.get("relative", bool, False), code=code,
        message=r.get("message", str) if is_form else r.get("message", str, ""),
        cue=r.get("cue", str) if is_form else r.get("cue", str, ""),
        priority=r.get("priority", int, 100), when=when, why=r.get("why", str, ""),
        baseline_tolerance=_tolerance(r),
    )


def _tolerance(r: _Reader) -> float:
    """Optional ``baseline_tolerance``: how still a relative signal must be for its baseline."""
    if "baseline_tolerance" not in r.t:
        return math.inf
    tol = r.get("baseline_tolerance", float)
    if tol <= 0:
        raise r.fail("baseline_tolerance", "must be > 0 (signal units)")
    if not r.t.get("relative", False):
        raise r.fail("baseline_tolerance", "only applies to relative criteria (relative = true)")
    return tol


def _build(data: dict[str, Any], path: Path) -> ExerciseSpec:
    r = _Reader(data, path, "")
    r.unknown_keys({"name", "title", "summary", "camera", "mode", "sides", "target_s", "needs_outline",
                    "timing", "position", "form", "reps", "outcome"})
    mode = r.get("mode", str)
    if mode not in MODES:
        raise r.fail("mode", f"must be one of {MODES}, got {_show(mode)}")
    sides = r.get("sides", str, "none")
    if sides not in SIDE_MODES:
        raise r.fail("sides", f"must be one of {SIDE_MODES}, got {_show(sides)}")
    target = r.get("target_s", float)
    if target <= 0:
        raise r.fail("target_s", "must be > 0 seconds")
    tr = _Reader(r.get("timing", dict, {}), path, "timing.")
    tr.unknown_keys({"debounce_s", "grace_s", "baseline_settle_s", "baseline_s"})
    timing = Timing(**{k: tr.get(k, float, getattr(Timing, k)) for k in
                       ("debounce_s", "grace_s", "baseline_settle_s", "baseline_s")})
    for k in ("debounce_s", "grace_s", "baseline_settle_s", "baseline_s"):
        if getattr(timing, k) < 0:
            raise tr.fail(k, "must be >= 0 seconds")
    pos_list = r.entries("position", required=True)
    if not pos_list:
        raise r.fail("position", "needs at least one [[position]] criterion")
    position = tuple(_criterion(t, path, f"position[{i}].", False) for i, t in enumerate(pos_list))
    errors = load_signal_errors()
    form = tuple(replace(c, error=errors.get(error_key(c.signal, c.relative)))
                 for c in (_criterion(t, path, f"form[{i}].", True)
                           for i, t in enumerate(r.entries("form", required=False))))
    _check_unique_ids(r, position, form)
    outcomes = tuple(_outcome(t, path, f"outcome[{i}].") for i, t in enumerate(r.entries("outcome", required=False)))
    reps = None
    if mode == "reps":
        rr = _Reader(r.get("reps", dict), path, "reps.")
        rr.unknown_keys({"signal", "start_above", "end_below", "top_fraction", "top_max_rate", "floor_window_s",
                         "start_fraction", "top_settle_s", "min_rep_s", "end_fraction"})
        sig = rr.get("signal", str)
        if not is_known_signal(sig):
            raise rr.fail("signal", f"unknown signal {_show(sig)} ({signal_help()})")
        reps = RepsSpec(sig, rr.get("start_above", float), rr.get("end_below", float),
                        rr.get("top_fraction", float), rr.get("top_max_rate", float),
                        rr.get("floor_window_s", float, 6.0), rr.get("start_fraction", float, 0.0),
                        rr.get("top_settle_s", float, 0.2), rr.get("min_rep_s", float, 0.5),
                        rr.get("end_fraction", float, 0.0))
        for key in ("floor_window_s", "start_above", "top_max_rate"):
            if getattr(reps, key) <= 0:
                raise rr.fail(key, "must be > 0")
        for key in ("top_settle_s", "min_rep_s"):
            if getattr(reps, key) < 0:
                raise rr.fail(key, "must be >= 0 seconds")
        if not 0 <= reps.end_below < reps.start_above:
            raise rr.fail("end_below", "must be >= 0 and below start_above (hysteresis)")
        for key in ("start_fraction", "top_fraction", "end_fraction"):
            if not 0 <= getattr(reps, key) <= 1:
                raise rr.fail(key, "must be between 0 and 1 (a fraction of a peak height)")
    elif "reps" in data:
        raise r.fail("reps", "only allowed with mode = \"reps\"")
    if any(c.relative for c in form) and mode == "hold" and timing.baseline_s <= 0:
        raise tr.fail("baseline_s", "relative criteria need a baseline window > 0 s")
    outline = r.get("needs_outline", bool, False)
    if not outline:
        _check_no_outline_signal(r, position, form, outcomes, reps)
    return ExerciseSpec(
        name=r.get("name", str), title=r.get("title", str), summary=r.get("summary", str, ""),
        camera=r.get("camera", str, ""), mode=mode, sides=sides, target_s=target,
        needs_outline=outline, timing=timing, position=position,
        form=form, reps=reps, path=str(path), outcomes=outcomes,
    )


def _check_unique_ids(r: _Reader, position: tuple[Criterion, ...], form: tuple[Criterion, ...]) -> None:
    """Every criterion id is used once (one pass with a set: files may be long)."""
    seen: set[str] = set()
    for key, criteria in (("position", position), ("form", form)):
        for i, c in enumerate(criteria):
            if c.id in seen:
                raise r.fail(f"{key}[{i}].id", f"criterion id {_show(c.id)} is used twice")
            seen.add(c.id)


def _check_no_outline_signal(r: _Reader, position: tuple[Criterion, ...], form: tuple[Criterion, ...],
                             outcomes: tuple[Outcome, ...], reps: RepsSpec | None) -> None:
    """Without ``needs_outline = true`` the person mask is never computed, so a signal read from its
    outline would never be measured and its criterion never judged: refuse the file instead."""
    uses = [*((f"position[{i}].signal", c.signal) for i, c in enumerate(position)),
            *((f"form[{i}].signal", c.signal) for i, c in enumerate(form)),
            *((f"outcome[{i}].signal", o.signal) for i, o in enumerate(outcomes))]
    if reps is not None:
        uses.append(("reps.signal", reps.signal))
    for key, signal in uses:
        if needs_outline(signal):
            raise r.fail(key, f"{_show(signal)} is measured on the person-mask outline, which is only computed "
                              "with needs_outline = true: add that line at the top of the file")


def _outcome(table: Any, path: Path, where: str) -> Outcome:
    if not isinstance(table, dict):
        raise ExerciseFileError(f"{path}: key '{where}': must be a table with 'signal' and 'label'")
    r = _Reader(table, path, where)
    r.unknown_keys({"signal", "label", "why"})
    signal = r.get("signal", str)
    if not is_known_signal(signal):
        raise r.fail("signal", f"unknown signal {_show(signal)} ({signal_help()})")
    return Outcome(signal, r.get("label", str), r.get("why", str, ""))
