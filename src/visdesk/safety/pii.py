"""PII masking by shape: phone numbers, bank-card-like and ID-like numbers, e-mails.

Why by shape and not by checksum: a customer who mistypes one digit of a card or ID number
still wrote their card or ID number, and a checksum that fails says nothing about whose it is
(the probe stored `6222 0212 3456 7890 123` and `110101199003071234` in clear). So every run of
16–19 digits (in groups separated by spaces or dashes) is a card, and every 18 characters of 17
digits and a digit or X is an ID. The checksum still decides the 13–15 digit runs, which are
mostly order and tracking numbers (a 12-digit order number stays readable in history).
Each match keeps its last four characters so a person can still tell two numbers apart.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# ID-like: 17 digits and a digit or X (the shape of a resident ID), whatever its check character says.
_CN_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_CARD_SHAPE = 16  # this many digits or more (up to 19) is a card whatever Luhn says; fewer must pass Luhn
# 13–19 digits, optionally in groups separated by single spaces or dashes.
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
# Chinese mobile (+86 optional, 3-4-4 grouping allowed).
_CN_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
# International (+CC …), North-American ((555) 123-4567) and Chinese landline (010-12345678) formats.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,3}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}"
    r"|0\d{2,3}-\d{7,8})(?!\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def valid_cn_id(number: str) -> bool:
    """True when an 18-character Chinese resident ID number has the right check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _keep_last4(text: str, label: str) -> str:
    tail = re.sub(r"\D", "", text)[-4:] if label != "id" else text[-4:]
    return f"[{label} ****{tail}]"


def _mask_id(match: re.Match[str]) -> str:
    return _keep_last4(match.group(0), "id")


def _mask_card(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if _CARD_SHAPE <= len(digits) <= 19 or (13 <= len(digits) < _CARD_SHAPE and luhn_ok(digits)):
        return _keep_last4(text, "card")
    return text


def _mask_phone(match: re.Match[str]) -> str:
    return _keep_last4(match.group(0), "phone")


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pii(text: str) -> str:
    """Replace phone, card-like, ID-like and e-mail text in `text` with masked forms (see the module docstring)."""
    if not text:
        return text
    text = _CN_ID.sub(_mask_id, text)
    text = _CN_MOBILE.sub(_mask_phone, text)  # before cards: "+86 138…" is 13 digits and may pass Luhn
    text = _CARD.sub(_mask_card, text)
    text = _PHONE.sub(_mask_phone, text)
    return _EMAIL.sub(_mask_email, text)
