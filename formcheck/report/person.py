"""Person names (``--person``): data naming who was filmed, never used as a path.

A name is any Unicode text after NFC normalisation and trimming, at most :data:`MAX_PERSON_CHARS`
characters, with no control characters (a name stays on one line in the terminal, the CSV and the
page). ``../x`` or ``a/b`` are fine: no output file or folder is ever named after a person.
"""

from __future__ import annotations

import unicodedata

from formcheck.errors import InputError

MAX_PERSON_CHARS = 200


def check_person(name: str, what: str = "--person") -> str:
    """The name as stored (NFC, trimmed); a one-line :class:`InputError` for an empty, too long or
    multi-line name. ``what`` says where the name came from, for the message."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        raise InputError(f"{what}: the person's name is empty — give a name such as --person 'Ana Lima'")
    if len(text) > MAX_PERSON_CHARS:
        raise InputError(f"{what}: the person's name is {len(text)} characters long; at most "
                         f"{MAX_PERSON_CHARS} are kept — give a shorter name")
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in text):
        raise InputError(f"{what}: the person's name contains a control character or line break — "
                         "give it on one line")
    return text
