"""One normaliser for every piece of user text: the question, OpenAI message content, ids, labels.

Why one place: the same text reaches the cache key (UTF-8 encoded), the history database, the
log and the engine prompt; a lone UTF-16 surrogate (`"\\ud800"` in JSON) broke each of those with
a UnicodeEncodeError (a 500), and invisible characters (zero-width, bidi overrides such as U+202E)
made an empty or spoofed question look real.

The contract: NFC; lone surrogates refused (400 invalid_text: they are not text, and guessing a
character would change what was asked); control characters (except tab and newlines), Unicode
format characters (zero-width, bidi embeddings/overrides/isolates U+202A–202E and U+2066–2069,
BOM, tag characters) stripped, because they are invisible to the person who typed or pasted them
and refusing a question over an invisible mark would only frustrate them. Whether the result may
be empty is the caller's rule (a question may not: 400 empty_question).
"""

from __future__ import annotations

import re
import unicodedata

from visdesk.errors import AppError, ErrorCode

_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_KEPT_CONTROLS = frozenset("\t\n\r")
_STRIPPED_CATEGORIES = frozenset({"Cc", "Cf"})  # controls; format characters (ZW*, bidi, BOM, tags)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def refuse_surrogates(value: str, field: str) -> None:
    """400 invalid_text when `value` holds an unpaired surrogate (it cannot be encoded as UTF-8)."""
    found = _SURROGATE.search(value)
    if found is not None:
        raise AppError(
            ErrorCode.INVALID_TEXT,
            f"The {field} contains an unpaired UTF-16 surrogate (U+{ord(found.group(0)):04X} at position "
            f"{found.start()}), which is not a character. Send valid Unicode text.",
            details={"field": field, "position": found.start()},
        )


def normalise_text(value: str, field: str) -> str:
    """NFC text without invisible control/format characters, trimmed; may be empty. Raises on surrogates."""
    refuse_surrogates(value, field)
    if value.isascii():  # the common case: only C0 controls and DEL can be invisible
        return _ASCII_CONTROL.sub("", value).strip()
    text = unicodedata.normalize("NFC", value)
    kept = [ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _STRIPPED_CATEGORIES]
    return "".join(kept).strip()


def normalise_id(value: str | None, field: str, max_chars: int) -> str | None:
    """An opaque id from a client (session_id): trimmed, printable, bounded; empty → None.

    Ids are ours (hex), so anything else is at worst unknown (404); what must not happen is a
    surrogate or a megabyte string reaching the database.
    """
    if value is None:
        return None
    refuse_surrogates(value, field)
    text = value.strip()
    if len(text) > max_chars:
        raise AppError(
            ErrorCode.INVALID_TEXT,
            f"The {field} has {len(text)} characters; at most {max_chars} are accepted.",
            details={"field": field, "max_chars": max_chars, "chars": len(text)},
        )
    if not text.isprintable():
        raise AppError(
            ErrorCode.INVALID_TEXT,
            f"The {field} contains control or invisible characters; send the id exactly as it was returned.",
            details={"field": field},
        )
    return text or None
