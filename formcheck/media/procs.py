"""Process plumbing shared by the commands and their child processes: stop signals handled like
Ctrl-C, and child processes that never outlive the process that started them.

A stop signal (SIGINT from Ctrl-C, SIGTERM from a job scheduler or ``kill``, SIGHUP when the terminal
closes) raises :class:`formcheck.errors.Interrupted` once, in the main thread (inside a
:func:`held_stop` block, such as judging one frame, when that block ends), so the command takes its
Ctrl-C path: stop scoring, write the partial report, exit ``128 + signum``. Later stop signals are
ignored while that report is written. Child processes ignore stop signals (their parent decides
when they stop) and are killed by the kernel when their parent exits, however it exits.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from formcheck.errors import Interrupted

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGNAL_WORDS: dict[int, str] = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "stopped by SIGTERM",
                signal.SIGHUP: "stopped by SIGHUP (terminal closed)"}
STOP_EXIT_CODES = frozenset(128 + s for s in STOP_SIGNALS)  # 130, 143, 129
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_S = 1.0  # how often a child checks its parent is still there (where prctl is missing)


def stop_signal(stop: KeyboardInterrupt) -> int:
    """The signal behind ``stop``: its ``signum`` for :class:`Interrupted`, SIGINT for a plain KeyboardInterrupt."""
    return int(getattr(stop, "signum", signal.SIGINT))


def stop_exit_code(stop: KeyboardInterrupt) -> int:
    """The exit code for a run stopped by ``stop``: 128 + the signal number (130 for a plain Ctrl-C)."""
    return 128 + stop_signal(stop)


def stop_words(stop: KeyboardInterrupt) -> str:
    """How the run was stopped, in words for messages and report notes ("stopped by SIGTERM")."""
    signum = stop_signal(stop)
    return SIGNAL_WORDS.get(signum, f"stopped by signal {signum}")


class PendingStop:
    """A stop-signal handler that only notes the first signal (``signum``, 0 for none), for while a stop
    cannot be acted on yet (the command line is still being parsed); :func:`stop_on_signals` raises
    the noted one as soon as it takes over."""

    def __init__(self) -> None:
        self.signum = 0

    def __call__(self, signum: int, _frame: object) -> None:
        self.signum = self.signum or signum


@contextmanager
def note_stop_signals() -> Iterator[PendingStop]:
    """Within the block, stop signals are noted in the yielded :class:`PendingStop`, not acted on."""
    pending = PendingStop()
    previous = {s: signal.signal(s, pending) for s in STOP_SIGNALS}
    try:
        yield pending
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class _StopRaiser:
    """The handler :func:`stop_on_signals` installs: raises the first stop signal as :class:`Interrupted`,
    ignores later ones, and keeps one back while :func:`held_stop` blocks are running."""

    def __init__(self) -> None:
        self.raised = False
        self.held = 0
        self.pending = 0

    def __call__(self, signum: int, _frame: object) -> None:
        if self.raised:
            return
        if self.held:
            self.pending = self.pending or signum
            return
        self.raise_stop(signum)

    def raise_stop(self, signum: int) -> None:
        self.raised = True
        raise Interrupted(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, the first stop signal raises :class:`Interrupted` in the main thread and
    later ones are ignored (the partial report is being written); the previous handlers come back after.
    A signal noted before by :func:`note_stop_signals` is raised on entering."""
    raiser = _StopRaiser()
    previous = {s: signal.signal(s, raiser) for s in STOP_SIGNALS}
    try:
        noted = [h for h in previous.values() if isinstance(h, PendingStop) and h.signum]
        if noted:
            raiser.raise_stop(noted[0].signum)
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def held_stop() -> Iterator[None]:
    """Within the block a stop signal waits and is raised when the block ends: for steps that must not
    stop half-way (judging one frame updates several counters and logs together). A no-op outside
    :func:`stop_on_signals`."""
    raiser = signal.getsignal(signal.SIGINT)
    if not isinstance(raiser, _StopRaiser):
        yield
        return
    raiser.held += 1
    try:
        yield
    finally:
        raiser.held -= 1
        if not raiser.held and raiser.pending and not raiser.raised:
            raiser.raise_stop(raiser.pending)


def tell(stream: TextIO, text: str) -> bool:
    """Write ``text`` to ``stream`` and flush; False when the reader is gone (the terminal was closed,
    ``| head`` exited): the line is lost, never the run or its report."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


def ignore_stop_signals() -> None:
    """In a child process: leave stop signals to the parent, which stops its children itself."""
    for s in STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)


def die_with_parent(parent_pid: int) -> None:
    """In a child process: make sure it dies when its parent ``parent_pid`` exits, even by ``kill -9``.

    On Linux the kernel sends SIGKILL on the parent's exit (``prctl(PR_SET_PDEATHSIG)``); as a backstop
    (and elsewhere) a daemon thread checks every :data:`PARENT_POLL_S` seconds that the parent is
    still there. A parent already gone before this is called ends the child at once.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the thread below does it
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), name="formcheck-parent-watch",
                     daemon=True).start()


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os.kill(os.getpid(), signal.SIGKILL)
