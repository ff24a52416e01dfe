"""Read an exercise file's TOML within limits that keep parsing fast, whatever the file holds.

``tomllib`` takes a few microseconds per byte of dense TOML (a 1 MB array of numbers: seconds) and
time growing with the square of a dotted key's length (``a.a.a...`` with 8000 parts, 16 KB: seconds).
Exercise files are a few KB with keys at most two levels deep, so a file is refused before parsing
when it is over :data:`MAX_FILE_BYTES`, or when a line has more than :data:`MAX_DOTS_PER_LINE` dots
outside strings and comments (a key or table header is always one line). Every failure is one
:class:`ExerciseFileError` line naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomllib

from formcheck.errors import ExerciseFileError

# ~35x the largest bundled file (7 KB), room for hundreds of criteria with long 'why' texts; parsed in
# well under a second even when dense.
MAX_FILE_BYTES = 256 * 1024
# A real line has at most a handful (``reps.signal``, a decimal or two); this bounds the longest key.
MAX_DOTS_PER_LINE = 64

_TOKEN = re.compile(r"\"\"\"|'''|[\"'#.\n]")
_BASIC_END = {'"': re.compile(r'\\.|"', re.DOTALL), '"""': re.compile(r'\\.|"""', re.DOTALL)}


def read_toml(path: Path, kind: str = "exercise") -> dict[str, Any]:
    """The parsed TOML document at ``path``; ExerciseFileError (one line, naming the file) when it
    cannot be read, is too large, nests keys too deeply or is not TOML. ``kind`` names the file in
    messages (an "exercise" or a "routine" file)."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExerciseFileError(f"{path}: cannot read {kind} file: {e}") from None
    if len(raw) > MAX_FILE_BYTES:
        article = "an" if kind[:1] in ("a", "e", "i", "o", "u") else "a"
        raise ExerciseFileError(f"{path}: more than {MAX_FILE_BYTES // 1024} KB; {article} {kind} file is a few KB "
                                "(check that this is the right file)")
    line = line_with_too_many_dots(text)
    if line is not None:
        raise ExerciseFileError(f"{path}: line {line}: more than {MAX_DOTS_PER_LINE} dots outside strings; "
                                f"{kind} files nest keys at most two levels deep")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ExerciseFileError(f"{path}: not valid TOML: {e}") from None
    except ValueError as e:  # a number tomllib refuses to convert (over Python's 4300-digit limit)
        raise ExerciseFileError(f"{path}: not valid TOML: {str(e).partition(':')[0]}") from None
    except RecursionError:
        raise ExerciseFileError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None


def line_with_too_many_dots(text: str) -> int | None:
    """The first line (from 1) with more than :data:`MAX_DOTS_PER_LINE` dots outside strings and
    comments, or None. One pass over the text."""
    line, dots, pos = 1, 0, 0
    while (m := _TOKEN.search(text, pos)) is not None:
        tok, pos = m.group(), m.end()
        if tok == "\n":
            line, dots = line + 1, 0
        elif tok == ".":
            dots += 1
            if dots > MAX_DOTS_PER_LINE:
                return line
        elif tok == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        else:
            end = _string_end(text, tok, pos)
            line += text.count("\n", pos, end)
            pos = end
    return None


def _string_end(text: str, quote: str, pos: int) -> int:
    """Index just past the string opened by ``quote`` before ``pos`` (the end of the text if unclosed)."""
    if quote in _BASIC_END:  # basic strings: a backslash escapes the next character
        pattern = _BASIC_END[quote]
        while (m := pattern.search(text, pos)) is not None and m.group().startswith("\\"):
            pos = m.end()
        end = len(text) if m is None else m.end()
    else:
        found = text.find(quote, pos)
        end = len(text) if found < 0 else found + len(quote)
    if len(quote) == 3:  # a multi-line string may end with one or two quotes of its own: """a"""""
        for _ in range(2):
            if end < len(text) and text[end] == quote[0]:
                end += 1
    return end
