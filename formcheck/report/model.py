"""The report of a session as typed, frozen data; turned into the JSON of ``report.json`` (see
``report_schema.json`` and ``docs/report.md``) only when it is written. Seconds, 0-100 score."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class FaultTime:
    """Seconds a fault ``code`` was seen (in a hold, or at the top of a rep), with its message."""

    code: str
    message: str
    seconds: float


@dataclass(frozen=True)
class HoldNotJudged:
    """Seconds of a hold in which criterion ``criterion`` could not be judged, and why."""

    criterion: str
    reason: str
    seconds: float


@dataclass(frozen=True)
class HoldOutcome:
    """A measured, never judged signal over one hold (e.g. hip extension of the kneeling leg, deg):
    ``median`` and ``p90`` over the hold, ``neutral`` at its start, ``change`` since (+ = more)."""

    signal: str
    label: str
    unit: str
    median: float
    p90: float
    neutral: float
    change: float


@dataclass(frozen=True)
class HoldReport:
    """One hold: when (seconds from the start), how its time split, its faults and the target."""

    side: str
    start_s: float
    end_s: float
    duration_s: float
    good_form_s: float
    faulty_s: float
    not_judged_s: float
    break_s: float
    target_s: float
    target_reached: bool
    faults: tuple[FaultTime, ...]
    not_judged: tuple[HoldNotJudged, ...]
    borderline_s: float = 0.0
    borderline: tuple[FaultTime, ...] = ()
    unseen_s: float = 0.0
    outcomes: tuple[HoldOutcome, ...] = ()


@dataclass(frozen=True)
class RepReport:
    """One rep: when, seconds held at the top, whether it returned to the floor, its faults."""

    side: str
    start_s: float
    end_s: float
    top_hold_s: float
    complete: bool
    faults: tuple[FaultTime, ...]


@dataclass(frozen=True)
class NotJudgedTotal:
    """Seconds over all holds in which a criterion (and its fault ``code``) could not be judged, and why."""

    criterion: str
    code: str
    reason: str
    seconds: float


@dataclass(frozen=True)
class Report:
    """Everything ``report.json`` says about one session. ``processing_s`` (None: not timed) is the
    wall-clock time the scoring took; ``side_override`` the side forced with ``--side``; ``person`` who
    was filmed (``--person``; None: not named)."""

    schema_version: str
    formcheck_version: str
    exercise: str
    exercise_title: str
    source: str
    fps: float
    width: int
    height: int
    duration_s: float
    frames: int
    frames_with_pose: int
    detection_rate: float
    side_override: str | None
    target_s: float
    holds: tuple[HoldReport, ...]
    reps: tuple[RepReport, ...]
    score: float
    score_method: str
    not_judged: tuple[NotJudgedTotal, ...]
    notes: tuple[str, ...]
    processing_s: float | None = None
    analysis_rate_hz: float | None = None
    analysed_fps: float | None = None
    person: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``report.json``: lists for sequences, no NaN (null instead),
        ``processing_s`` left out when not timed, ``person`` when not named."""
        doc = _plain(asdict(self))
        for key in ("processing_s", "person"):
            if doc[key] is None:
                del doc[key]
        return doc


def _plain(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return x


def report_from_json(doc: dict[str, Any]) -> Report:
    """A :class:`Report` from the JSON object of a ``report.json`` (null seconds read back as NaN)."""

    def num(x: Any) -> float:
        return math.nan if x is None else float(x)

    def faults(items: list[dict[str, Any]]) -> tuple[FaultTime, ...]:
        return tuple(FaultTime(f["code"], f["message"], num(f["seconds"])) for f in items)

    holds = tuple(HoldReport(
        side=h["side"], start_s=num(h["start_s"]), end_s=num(h["end_s"]), duration_s=num(h["duration_s"]),
        good_form_s=num(h["good_form_s"]), faulty_s=num(h["faulty_s"]), not_judged_s=num(h["not_judged_s"]),
        break_s=num(h["break_s"]), target_s=num(h["target_s"]), target_reached=bool(h["target_reached"]),
        faults=faults(h["faults"]),
        not_judged=tuple(HoldNotJudged(n["criterion"], n["reason"], num(n["seconds"])) for n in h["not_judged"]),
        borderline_s=num(h.get("borderline_s", 0.0)), borderline=faults(h.get("borderline", [])),
        unseen_s=num(h.get("unseen_s", 0.0)),
        outcomes=tuple(HoldOutcome(o["signal"], o["label"], o["unit"], num(o["median"]), num(o["p90"]),
                                   num(o["neutral"]), num(o["change"])) for o in h.get("outcomes", [])))
        for h in doc["holds"])
    reps = tuple(RepReport(side=r["side"], start_s=num(r["start_s"]), end_s=num(r["end_s"]),
                           top_hold_s=num(r["top_hold_s"]), complete=bool(r["complete"]), faults=faults(r["faults"]))
                 for r in doc["reps"])
    return Report(
        schema_version=doc["schema_version"], formcheck_version=doc["formcheck_version"], exercise=doc["exercise"],
        exercise_title=doc["exercise_title"], source=doc["source"], fps=num(doc["fps"]), width=int(doc["width"]),
        height=int(doc["height"]), duration_s=num(doc["duration_s"]), frames=int(doc["frames"]),
        frames_with_pose=int(doc["frames_with_pose"]), detection_rate=num(doc["detection_rate"]),
        side_override=doc["side_override"], target_s=num(doc["target_s"]), holds=holds, reps=reps,
        score=num(doc["score"]), score_method=doc["score_method"],
        not_judged=tuple(NotJudgedTotal(n["criterion"], n["code"], n["reason"], num(n["seconds"]))
                         for n in doc["not_judged"]),
        notes=tuple(doc["notes"]), processing_s=None if doc.get("processing_s") is None else num(doc["processing_s"]),
        analysis_rate_hz=None if doc.get("analysis_rate_hz") is None else num(doc["analysis_rate_hz"]),
        analysed_fps=None if doc.get("analysed_fps") is None else num(doc["analysed_fps"]),
        person=doc.get("person"))
