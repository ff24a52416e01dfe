"""The files every finished session leaves behind, written the same way for ``score`` and ``live``."""

from __future__ import annotations

from pathlib import Path

from formcheck.errors import InputError
from formcheck.judge.session import SessionResult
from formcheck.media.frame import SourceInfo
from formcheck.media.outfiles import check_writable_dir
from formcheck.report.html_report import write_html_report
from formcheck.report.json_report import build_report, write_frames_csv, write_report_json
from formcheck.report.key_frames import KeyFrames
from formcheck.report.model import Report
from formcheck.report.mot_export import write_mot
from formcheck.report.plots import plot_angles


def make_out_dir(out_dir: Path) -> None:
    """Create the output folder (and its parents) and check a file can be written in it, before any slow
    work; otherwise fail with a one-line :class:`InputError` (exit 2)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out_dir}: cannot create the output folder ({e.strerror}) — choose another --out") from None
    check_writable_dir(out_dir)


def note_visibility(result: SessionResult) -> None:
    """Add a note when the person was found but key joints were out of frame or hidden much of the time."""
    found = unknown = 0
    for f in result.frames:  # one pass, keeping no frame: a long session's frames are stored compactly
        if f.found:
            found += 1
            unknown += f.in_position is None
    if not found:
        return
    if unknown / found > 0.2:
        result.notes.append(
            f"in {unknown / found:.0%} of frames with a person, joints needed to judge the position were "
            "hidden or out of frame (not judged): keep the whole body in the picture"
        )


def write_session_outputs(result: SessionResult, info: SourceInfo, elapsed_s: float, out_dir: Path,
                          key_frames: KeyFrames | None = None, mot: bool = False, person: str | None = None) -> Report:
    """Write report.json, frames.csv, angles.png and report.html (with the worst frame of each fault
    from ``key_frames``, and annotated.mp4 if already written) into ``out_dir``, plus angles.mot when
    ``mot``; return the report (naming ``person`` when given)."""
    note_visibility(result)
    report = build_report(result, info, elapsed_s, person)
    write_report_json(report, out_dir / "report.json")
    write_frames_csv(result, out_dir / "frames.csv")
    plot_angles(result, out_dir / "angles.png")
    write_html_report(report, result, out_dir, key_frames)
    if mot:
        write_mot(result, out_dir / "angles.mot")
    return report
