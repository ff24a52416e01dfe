"""User-facing errors: one clear line naming the problem and what to do about it."""

from __future__ import annotations


class FormcheckError(Exception):
    """A problem with the user's input or set-up; the CLI prints ``str(err)`` and exits non-zero.

    ``exit_code`` lets the CLI tell kinds apart: 2 bad arguments or input file, 3 unusable
    video content (no person, no frames), 4 a broken exercise file, 5 an unusable history database,
    6 a live source lost, 7 an output file that could not be written.
    """

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(FormcheckError):
    """The file or argument given cannot be used (missing, not a video, unknown name)."""

    exit_code = 2


class NoUsableFramesError(FormcheckError):
    """The input opened but nothing in it can be scored (zero frames, no person)."""

    exit_code = 3


class ExerciseFileError(FormcheckError):
    """An exercise file is malformed; the message names the file, the key and the problem."""

    exit_code = 4


class HistoryError(FormcheckError):
    """The history database cannot be used (not a SQLite file, damaged, from a newer formcheck,
    not writable); the file is left untouched."""

    exit_code = 5


class SourceLostError(FormcheckError):
    """The camera or the played video stopped mid-session; the report of the session so far was written."""

    exit_code = 6


class OutputError(FormcheckError):
    """An output file could not be written (disk full, folder gone or read-only); nothing half-written is left."""

    exit_code = 7


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP): handled like Ctrl-C, and the command
    exits with ``128 + signum`` as shells report a process stopped by that signal (130, 143, 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
