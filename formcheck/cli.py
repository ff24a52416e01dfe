"""The ``formcheck`` command line: score a video, list and explain exercises, render synthetic clips."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from formcheck.errors import FormcheckError, Interrupted
from formcheck.judge.sides import Side
from formcheck.media.procs import (
    STOP_EXIT_CODES,
    note_stop_signals,
    stop_exit_code,
    stop_on_signals,
    stop_words,
    tell,
)

if TYPE_CHECKING:
    from formcheck.judge.session import SessionResult
    from formcheck.report.model import Report

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check stretching form from a video with MediaPipe Pose: hold times per side, reps, faults and cues.\n\n"
    "Start with `formcheck exercises`, then `formcheck explain NAME`, then `formcheck score VIDEO --exercise NAME`.",
)


DB_HELP = ("History database [default: $FORMCHECK_DB, else $XDG_DATA_HOME/formcheck/history.sqlite or "
           "~/.local/share/formcheck/history.sqlite].")


def _route_native_logs_away() -> None:
    """Send what native libraries print straight to file descriptor 2 (video decoder and model
    start-up chatter) to /dev/null, keeping Python's own stderr for our messages. CLI only."""
    try:
        sys.stderr.flush()
        keep = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(keep, "w", buffering=1, encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        pass


def _check_side(side: str | None) -> Side | None:
    """``--side`` is left, right or not given; anything else is a one-line error."""
    if side is None:
        return None
    for known in ("left", "right"):
        if side == known:
            return known
    raise _fail(FormcheckError(f"--side must be 'left' or 'right', got '{side}'"))


def _check_max_side(max_side: int) -> int:
    """``--max-side`` is 0 or at least 128 pixels; anything else is a one-line error (exit 2)."""
    from formcheck.media.sources import check_max_side

    try:
        return check_max_side(max_side)
    except FormcheckError as e:
        raise _fail(e) from None


RATE_HELP = ("Frames per second of video the pose model analyses (at least 1), or 'full' for every frame. The "
             "others are only grabbed (not converted to pictures or resized); holds, reps and timers use the "
             "analysed frames' "
             "own timestamps; the annotated video keeps every frame, each carrying the skeleton, angles and "
             "cue of the analysed frame before it (not interpolated). Default 15: on the bundled samples and "
             "real clips it finds the same holds, reps and sides as 'full', hold starts/ends within 0.15 s and "
             "good-form seconds within 0.3 s (README, Analysis rate).")


def _check_rate(rate: str) -> float | None:
    """``--rate``: a number of frames per second (at least 1) or 'full'; anything else is a one-line error (exit 2)."""
    from formcheck.media.rate import parse_rate

    try:
        return parse_rate(rate)
    except FormcheckError as e:
        raise _fail(e) from None


def _check_person(person: str | None) -> str | None:
    """``--person`` as stored (see :func:`formcheck.report.person.check_person`), None when not given."""
    from formcheck.report.person import check_person

    return None if person is None else check_person(person)


def _fail(err: FormcheckError) -> typer.Exit:
    _say(f"formcheck: error: {err}", err=True)
    return typer.Exit(err.exit_code)


def _say(text: str, err: bool = False) -> None:
    """Print a line to stdout (or stderr). When the reader has gone (``| head -1`` closed the pipe,
    the terminal was closed) the rest of the output is dropped and the command carries on: its work
    and exit code do not depend on being watched."""
    stream = sys.stderr if err else sys.stdout
    if not tell(stream, text + "\n"):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass


@contextmanager
def _stoppable() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP stop the command like Ctrl-C (see :mod:`formcheck.media.procs`); one that
    arrives outside the frame loop (which writes the partial report itself) ends it with one line
    and exit code 128 + the signal number."""
    try:
        with stop_on_signals():
            yield
    except KeyboardInterrupt as e:
        _say(f"formcheck: error: {stop_words(e)}", err=True)
        raise typer.Exit(stop_exit_code(e)) from None


@app.command()
def exercises(check: Path | None = typer.Option(None, "--check", help="Validate this exercise file (.toml) and "
                                                 "print what it would judge; exit 4 naming the key on a problem.")
              ) -> None:
    """List the bundled exercises (name, mode, target), or check an exercise file with --check FILE."""
    from formcheck.exercises import available_exercises, load_exercise

    if check is not None:
        from formcheck.errors import InputError
        from formcheck.exercises.explain import explain_exercise
        from formcheck.exercises.spec import load_exercise_file

        try:
            if not check.is_file():
                raise InputError(f"{check}: exercise file not found")
            spec = load_exercise_file(check)
        except FormcheckError as e:
            raise _fail(e) from None
        typer.echo(f"{check}: valid exercise file\n")
        typer.echo(explain_exercise(spec))
        return
    for name in available_exercises():
        try:
            spec = load_exercise(name)
        except FormcheckError as e:
            raise _fail(e) from None
        kind = "per side" if spec.per_side else "one side"
        target = f"{spec.target_s:g} s hold" if spec.mode == "hold" else f"reps, {spec.target_s:g} s at the top"
        _say(f"{spec.name:22s} {spec.title} — {target}, {kind}")


@app.command()
def explain(name: str = typer.Argument(..., help="Exercise name (see `formcheck exercises`) or a .toml file.")) -> None:
    """Print an exercise's set-up, what counts as 'in position', and every form criterion in plain words."""
    from formcheck.exercises import load_exercise
    from formcheck.exercises.explain import explain_exercise

    try:
        spec = load_exercise(name)
    except FormcheckError as e:
        raise _fail(e) from None
    _say(explain_exercise(spec))


@app.command()
def routines() -> None:
    """List the bundled routines (name, steps, plan)."""
    from formcheck.routines import available_routines, load_routine
    from formcheck.routines.explain import plan_words

    for name in available_routines():
        try:
            spec = load_routine(name)
        except FormcheckError as e:
            raise _fail(e) from None
        _say(f"{spec.name:22s} {spec.title} — {len(spec.steps)} steps, {plan_words(spec.plan)}")


@app.command("explain-routine")
def explain_routine(name: str = typer.Argument(..., help="Routine name (see `formcheck routines`) or a .toml file.")
                    ) -> None:
    """Print a routine's plan and its steps (exercise, side, target, rest, where it comes from) in plain words."""
    from formcheck.routines import load_routine
    from formcheck.routines.explain import explain_routine as words

    try:
        spec = load_routine(name)
    except FormcheckError as e:
        raise _fail(e) from None
    _say(words(spec))


@app.command()
def score(
    video: Path = typer.Argument(..., help="Video file (mp4/mov/avi...) or a folder of images."),
    exercise: str = typer.Option(None, "--exercise", "-e", help="Exercise name (see `formcheck exercises`), .toml, or "
                                 "auto (the bundled exercise whose position is held longest)."),
    routine: str = typer.Option(None, "--routine", help="Score one recording of a whole routine (see `formcheck "
                                "routines`) or routine .toml: split into its steps, each judged by its own rules."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder [default: formcheck-out/<video name>]."),
    side: str = typer.Option(None, "--side", help="Force the stretched side: left or right (default: detected)."),
    max_side: int = typer.Option(720, "--max-side", callback=_check_max_side,
                                 help="Downscale frames to at most this many pixels (128 or more) on the "
                                 "long side before pose estimation (0 = keep size)."),
    no_video: bool = typer.Option(False, "--no-video", help="Skip writing annotated.mp4 (faster)."),
    mot: bool = typer.Option(False, "--mot", help="Also write angles.mot: the judged angles per frame in "
                             "degrees, OpenSim Storage format."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary; only errors."),
    db: Path = typer.Option(None, "--db", help=DB_HELP),
    no_history: bool = typer.Option(False, "--no-history", help="Do not record this session in the history."),
    workers: str = typer.Option("auto", "--workers", "-w", help="Processes running the pose model over time spans "
                                "of the video: a number, or auto (one per core here, one fewer when writing the "
                                "annotated video, at most 4; a video shorter than 12 s uses one)."),
    rate: str = typer.Option("15", "--rate", help=RATE_HELP),
    person: str = typer.Option(None, "--person", help="Who is filmed: named in the report and the history "
                               "(any name; see `formcheck history --by-person`)."),
) -> None:
    """Score a recorded stretch: writes report.html, report.json, frames.csv, annotated.mp4 and angles.png into
    --out, then records the session in the history (see `formcheck history`)."""
    with _stoppable():  # from the start: Ctrl-C while the pose model is still loading is an interrupt too
        from formcheck.run.pipeline import parse_workers
        from formcheck.run.score import run_score

        _route_native_logs_away()
        body_side = _check_side(side)
        rate_hz = _check_rate(rate)
        try:
            n_workers = parse_workers(workers, write_video=not no_video)
            who = _check_person(person)
        except FormcheckError as e:
            raise _fail(e) from None
        out_dir = out if out is not None else Path("formcheck-out") / video.stem
        if routine is not None:
            _score_routine(video, routine, out_dir, exercise, side, max_side, quiet, n_workers)
            return
        if exercise is None:
            raise _fail(FormcheckError("give --exercise NAME (see `formcheck exercises`) or --routine NAME "
                                       "(see `formcheck routines`)"))
        if exercise == "auto":
            exercise = _auto_exercise(video, max_side, quiet, n_workers)
        try:
            outcome = run_score(video, exercise, out_dir, side=body_side, max_side=max_side,
                                write_video=not no_video, progress=not quiet, workers=n_workers, mot=mot,
                                rate=rate_hz, person=who)
        except FormcheckError as e:
            raise _fail(e) from None
        if not quiet:
            _say(outcome.summary)
        history_error = None if no_history or outcome.report is None else \
            _record(db, outcome.report, outcome.result, "score", out_dir, quiet, partial=outcome.partial)
    _exit_after_report(outcome.error, history_error)


def _score_routine(video: Path, routine: str, out_dir: Path, exercise: str | None, side: str | None, max_side: int,
                   quiet: bool, workers: int) -> None:
    """``score --routine``: each step's side comes from the routine; no history (adherence is not recorded yet)."""
    from formcheck.run.routine_score import run_routine_score

    if exercise is not None or side is not None:
        raise _fail(FormcheckError("--routine takes its exercises and sides from the routine file — leave out "
                                   "--exercise and --side"))
    try:
        outcome = run_routine_score(video, routine, out_dir, max_side=max_side, progress=not quiet, workers=workers)
    except FormcheckError as e:
        raise _fail(e) from None
    if not quiet and outcome.summary:
        _say(outcome.summary)
    if outcome.error is not None:
        raise _fail(outcome.error)


def _auto_exercise(video: Path, max_side: int, quiet: bool, workers: int) -> str:
    """``--exercise auto``: the bundled exercise whose position the video holds longest, said on stdout."""
    from formcheck.run.auto_exercise import pick_exercise

    try:
        pick = pick_exercise(video, max_side=max_side, workers=workers, progress=not quiet)
    except FormcheckError as e:
        raise _fail(e) from None
    assert pick.exercise is not None  # pick_exercise raises when none was held
    if not quiet:
        _say(f"exercise: {pick.words()}")
    return pick.exercise


def _exit_after_report(session_error: FormcheckError | None, history_error: FormcheckError | None) -> None:
    """Exit for what went wrong after the report was written: the session's own error wins (the history
    problem is then a warning line); a history problem alone is the error."""
    if session_error is not None:
        if history_error is not None:
            _say(f"formcheck: warning: {history_error}", err=True)
        raise _fail(session_error)
    if history_error is not None:
        raise _fail(history_error)


def _record(db: Path | None, report: Report, result: SessionResult | None, mode: str, out_dir: Path,
            quiet: bool, partial: bool = False) -> FormcheckError | None:
    """Add a finished session to the history after its report is written (``partial``: the run stopped
    before the end of its video); return the error, if any."""
    from formcheck.history.store import record_finished

    if result is None:
        return None
    try:
        line = record_finished(db, report, result, mode, out_dir, partial=partial)
    except FormcheckError as e:
        return e
    if line and not quiet:
        _say(line)
    return None


@app.command()
def history(
    exercise: str = typer.Option(None, "--exercise", "-e", help="Only this exercise (see `formcheck exercises`)."),
    since: str = typer.Option(None, "--since", help="Only sessions on or after this date (YYYY-MM-DD, local time)."),
    db: Path = typer.Option(None, "--db", help=DB_HELP),
    plot: Path = typer.Option(Path("formcheck-history.png"), "--plot", help="Where to write the trend plot (PNG)."),
    person: str = typer.Option(None, "--person", help="Only this person's sessions (as recorded with --person)."),
    by_person: bool = typer.Option(False, "--by-person", help="One line per person: last session, sessions in the "
                                   "last 7 / 28 days, best good-form seconds per side with its trend, asymmetry."),
    html: Path = typer.Option(None, "--html", help="With --by-person: also write this overview page (one file, "
                              "opens offline) linking to each person's latest reports."),
) -> None:
    """Print the recorded sessions (per side: good-form seconds, peak hip extension, pelvic-tilt change,
    faults per minute, score) and write a trend plot; or with --by-person, one line per person."""
    from formcheck.history.view import show_history, show_people
    from formcheck.report.person import check_person

    try:
        if html is not None and not by_person:
            raise FormcheckError("--html writes the overview of --by-person — add --by-person")
        if by_person:
            if person is not None:
                raise FormcheckError("give either --person or --by-person, not both")
            _say(show_people(db, exercise, since, html))
        else:
            _say(show_history(db, exercise, since, plot, None if person is None else check_person(person)))
    except FormcheckError as e:
        raise _fail(e) from None


@app.command()
def live(
    exercise: str = typer.Option(..., "--exercise", "-e", help="Exercise name (see `formcheck exercises`) or .toml."),
    camera: int = typer.Option(None, "--camera", "-c", help="Camera index to watch [default: 0]."),
    source: Path = typer.Option(None, "--source", help="Play this video file as if it were the camera (real-time "
                                "pacing; frames are dropped when processing falls behind)."),
    out: Path = typer.Option(None, "--out", "-o", help="Folder for the session's report [default: "
                             "formcheck-out/live-<date-time>]."),
    no_window: bool = typer.Option(False, "--no-window", help="No window: print cues and the timer in the terminal."),
    voice: bool = typer.Option(False, "--voice", help="Speak the cues (needs espeak-ng; offline)."),
    no_sound: bool = typer.Option(False, "--no-sound", help="No tones when a hold starts, breaks or completes."),
    no_video: bool = typer.Option(False, "--no-video", help="Do not save annotated.mp4 of the session."),
    side: str = typer.Option(None, "--side", help="Start timing this side: left or right (default: detected)."),
    max_side: int = typer.Option(720, "--max-side", callback=_check_max_side,
                                 help="Downscale frames to at most this many pixels (128 or more) on the "
                                 "long side before pose estimation (0 = keep size)."),
    db: Path = typer.Option(None, "--db", help=DB_HELP),
    no_history: bool = typer.Option(False, "--no-history", help="Do not record this session in the history."),
    rate: str = typer.Option("15", "--rate", help="Most frames per second the pose model analyses, or 'full' (as "
                             "many as it keeps up with). Every camera frame is shown, carrying the last analysed "
                             "frame's skeleton and cue; when the machine cannot keep up, fewer frames are analysed "
                             "(the summary says how many per second), not fewer shown."),
    person: str = typer.Option(None, "--person", help="Who is filmed: named in the report and the history "
                               "(any name; see `formcheck history --by-person`)."),
) -> None:
    """Coach a stretch live from a webcam: skeleton, key angles, one cue at a time, a good-form timer.

    Stand the camera at hip height, side on. A set-up check (whole body in view, side on, not too
    far) comes first, then "get into position", then timing; you are told when to switch sides.
    Keys in the window: q quit, space pause, r reset, s switch side. However the session ends
    (q, Ctrl-C, end of --source, camera lost), report.html, report.json, frames.csv, angles.png and annotated.mp4
    are written into --out and the session is recorded in the history. Exit code 6 when the camera or
    source stopped mid-session (the report of the session so far is kept).
    """
    import time as _time

    with _stoppable():
        from formcheck.run.live import run_live

        _route_native_logs_away()
        if camera is not None and source is not None:
            raise _fail(FormcheckError("give either --camera or --source, not both"))
        body_side = _check_side(side)
        rate_hz = _check_rate(rate)
        out_dir = out if out is not None else Path("formcheck-out") / _time.strftime("live-%Y%m%d-%H%M%S")
        try:
            who = _check_person(person)
            outcome = run_live(exercise, out_dir, camera=camera, source=source, window=not no_window, voice=voice,
                               tones=not no_sound, max_side=max_side, write_video=not no_video, side=body_side,
                               rate=rate_hz, person=who)
        except FormcheckError as e:
            raise _fail(e) from None
        if outcome.summary:
            _say(outcome.summary)
        history_error = None
        if outcome.report is not None and not no_history:
            history_error = _record(db, outcome.report, outcome.result, "live", out_dir, False)
    _exit_after_report(outcome.error, history_error)


@app.command()
def batch(
    inputs: list[str] = typer.Argument(..., help="Folders of videos, video files, or quoted glob patterns "
                                       "('clips/**/*.mp4')."),
    exercise: str = typer.Option(..., "--exercise", "-e", help="Exercise name (see `formcheck exercises`) or .toml."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for one sub-folder per video and summary.csv."),
    workers: str = typer.Option("1", "--workers", "-w", help="Videos scored at the same time, one process each."),
    max_side: int = typer.Option(720, "--max-side", callback=_check_max_side,
                                 help="Downscale frames to at most this many pixels (128 or more) on the "
                                 "long side before pose estimation (0 = keep size)."),
    no_video: bool = typer.Option(False, "--no-video", help="Skip writing annotated.mp4 (faster)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; only errors."),
    db: Path = typer.Option(None, "--db", help=DB_HELP),
    no_history: bool = typer.Option(False, "--no-history", help="Do not record these sessions in the history."),
    rate: str = typer.Option("15", "--rate", help=RATE_HELP),
    cluster: str = typer.Option(None, "--cluster", help="Score on a Dask cluster instead of local processes: a "
                                "scheduler address (tcp://HOST:8786) or local:N to start N workers here. Needs "
                                'pip install "formcheck[cluster]"; --workers is then not used.'),
    send_videos: bool = typer.Option(False, "--send-videos", help="With --cluster: send each video's bytes to the "
                                     "worker instead of its path (workers that cannot see the files)."),
    person: str = typer.Option(None, "--person", help="Who is filmed: named in the report and the history "
                               "(any name; see `formcheck history --by-person`)."),
    person_from_folder: bool = typer.Option(False, "--person-from-folder", help="Each video's person is the name "
                                            "of its folder (clients/<name>/*.mp4)."),
) -> None:
    """Score many videos: one output folder each, OUT/summary.csv with one row per video; reruns skip
    videos whose report is current. Exit 0 all scored, 1 some failed (see summary.csv), 2 bad arguments,
    130 / 143 / 129 stopped by Ctrl-C / SIGTERM / SIGHUP (the running videos keep a partial report;
    on a cluster they are cancelled)."""
    with _stoppable():
        from formcheck.run.batch import BATCH_STATUSES, batch_exit_code, run_batch
        from formcheck.run.pipeline import parse_workers

        _route_native_logs_away()
        rate_hz = _check_rate(rate)
        try:
            outcome = run_batch(inputs, exercise, out, workers=parse_workers(workers), max_side=max_side,
                                write_video=not no_video, progress=not quiet, db=db, history=not no_history,
                                rate=rate_hz, cluster=cluster, send_videos=send_videos,
                                person=_check_person(person), person_from_folder=person_from_folder)
        except FormcheckError as e:
            raise _fail(e) from None
    failed = [r for r in outcome.rows if r["status"] == "failed"]
    if not quiet:
        counts = {s: sum(r["status"] == s for r in outcome.rows) for s in BATCH_STATUSES}
        stopped = f", {counts['interrupted']} interrupted, {counts['cancelled']} not started" if outcome.stopped else ""
        _say(f"{len(outcome.rows)} videos: {counts['scored']} scored, {counts['current']} already current, "
             f"{counts['failed']} failed{stopped} — summary in {outcome.summary}")
    code = batch_exit_code(outcome)
    if code:
        reason = outcome.stopped or \
            f"{len(failed)} of {len(outcome.rows)} videos failed (first: {failed[0]['error']})"
        raise _fail(FormcheckError(f"{reason} — see {outcome.summary}", exit_code=code))


@app.command()
def synth(
    names: list[str] = typer.Argument(None, help="Clip script names (see --list)."),
    out: Path = typer.Option(Path("synth-out"), "--out", "-o", help="Folder for <name>.mp4 + <name>.json."),
    sample_set: bool = typer.Option(False, "--sample-set", help="Render the clips bundled in sample_videos/."),
    quick_set: bool = typer.Option(False, "--quick-set", help="Render the short clips the quick benchmark uses."),
    list_: bool = typer.Option(False, "--list", help="List the clip scripts and exit."),
) -> None:
    """Render synthetic clips of a posable mannequin with exact per-frame ground truth.

    Regenerate the bundled samples with:  formcheck synth --sample-set --out sample_videos
    """
    from formcheck.synth import CLIP_SCRIPTS, QUICK_SET, SAMPLE_SET, render_clip

    if list_:
        for name in sorted(CLIP_SCRIPTS):
            sc = CLIP_SCRIPTS[name]
            _say(f"{name:28s} {sc.exercise:20s} {sc.duration_s:5.1f} s")
        return
    chosen = list(names or [])
    if sample_set:
        chosen += list(SAMPLE_SET)
    if quick_set:
        chosen += list(QUICK_SET)
    if not chosen:
        raise _fail(FormcheckError("name at least one clip, or use --sample-set / --quick-set (see --list)"))
    unknown = [n for n in chosen if n not in CLIP_SCRIPTS]
    if unknown:
        raise _fail(FormcheckError(f"unknown clip '{unknown[0]}' — see `formcheck synth --list`"))
    for name in dict.fromkeys(chosen):
        def progress(done: int, total: int, name: str = name) -> None:
            if done == total or done % 30 == 0:
                sys.stderr.write(f"\rrendering {name}: {done}/{total} frames")
                sys.stderr.flush()

        video, gt = render_clip(name, out, progress=progress)
        sys.stderr.write("\n")
        _say(f"wrote {video} and {gt}")


def main() -> None:  # pragma: no cover - console entry
    """Console entry point.

    Until a command takes stop signals over (:func:`_stoppable`), they are noted, not acted on: the
    command line library would turn any of them into a silent exit 130. A command that does not take
    them over ends with the noted one's exit code and line. A run stopped by a signal ends with
    ``os._exit`` once its report is written and its output flushed: a stop can land while a native
    library (OpenCV's thread pool) is still starting, and tearing the interpreter down then can abort
    the process (exit -6) instead of exiting 130 / 143 / 129. Everything formcheck writes is finished
    and closed by then."""
    with note_stop_signals() as pending:
        try:
            app()
        except SystemExit as e:
            if pending.signum and e.code not in STOP_EXIT_CODES:
                _say(f"formcheck: error: {stop_words(Interrupted(pending.signum))}", err=True)
                _exit_now(128 + pending.signum)
            if e.code in STOP_EXIT_CODES:
                _exit_now(int(e.code))
            raise


def _exit_now(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        tell(stream, "")
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
