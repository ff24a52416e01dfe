"""Writing output files so that none is ever left half-written.

Every output file (report.json, frames.csv, report.html, angles.png, angles.mot, annotated.mp4,
summary.csv, the history plot) is written under a temporary name in its own folder
(``.<stem>.part-<pid>-<random><suffix>``, keeping the suffix so writers that go by it still pick the
format) and renamed over the real name only once complete, with :func:`os.replace` (atomic on one
file system). A failure removes the temporary file and becomes one :class:`OutputError` line (exit 7);
an older file of the same name stays as it was.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from formcheck.errors import InputError, OutputError

_PART = re.compile(r"^\..+\.part-(\d+)-[0-9a-f]+(\.[^.]*)?$")  # a temporary name made by AtomicFile


def output_error(path: Path, err: OSError) -> OutputError:
    """The one-line error for a file that could not be written."""
    why = err.strerror or str(err)
    return OutputError(f"{path}: could not be written ({why}) — free some space or write to another folder; "
                       "no half-written file was left")


class AtomicFile:
    """A file created empty under a temporary name beside ``path``; :meth:`commit` renames it to ``path``,
    :meth:`discard` removes it. Creating it fails (OSError) when the folder is not writable."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.stem}.part-{os.getpid()}-{secrets.token_hex(4)}"
                                       f"{self.path.suffix}")
        os.close(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies as usual

    def commit(self) -> None:
        """Put the finished temporary file in place of ``path``."""
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        """Remove the temporary file (if still there)."""
        self.tmp.unlink(missing_ok=True)


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write the whole file to; when the block ends normally
    it replaces ``path``. On any error it is removed; an OSError becomes an :class:`OutputError`."""
    try:
        part = AtomicFile(path)
    except OSError as e:
        raise output_error(path, e) from None
    try:
        yield part.tmp
        part.commit()
    except OSError as e:
        part.discard()
        raise output_error(path, e) from None
    except BaseException:
        part.discard()
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_output`."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def check_writable_dir(folder: Path, option: str = "--out") -> None:
    """Fail with a one-line :class:`InputError` (exit 2) unless a file can be created in ``folder``;
    also remove temporary files left there by a formcheck process that no longer runs (killed)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        raise InputError(f"{folder}: cannot write in this folder ({e.strerror or e}) — choose another "
                         f"{option}") from None
    try:
        for f in folder.iterdir():
            m = _PART.match(f.name)
            if m and not _pid_alive(int(m.group(1))):
                f.unlink(missing_ok=True)
    except OSError:
        pass  # a leftover temporary file is untidy, not a reason to stop


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
