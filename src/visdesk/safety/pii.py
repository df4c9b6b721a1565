"""PII masking: phone numbers, bank cards (Luhn), Chinese resident ID numbers (checksum), e-mails.

Why checksums: order numbers and tracking numbers are long digit runs too; masking only what
validates as a card or ID keeps stored history useful while logs can never carry the real thing.
Each match keeps its last four characters so a person can still tell two numbers apart.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# 18-digit resident ID: 6-digit region, yyyymmdd birth date, 3-digit sequence, check digit/X.
_CN_ID = re.compile(
    r"(?<![\dA-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])"
)
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
    number = match.group(0)
    return _keep_last4(number, "id") if valid_cn_id(number) else number


def _mask_card(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if 13 <= len(digits) <= 19 and luhn_ok(digits):
        return _keep_last4(text, "card")
    return text


def _mask_phone(match: re.Match[str]) -> str:
    return _keep_last4(match.group(0), "phone")


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[:1]}***@{domain}"


def mask_pii(text: str) -> str:
    """Replace phone, card, ID and e-mail numbers in `text` with masked forms."""
    if not text:
        return text
    text = _CN_ID.sub(_mask_id, text)
    text = _CN_MOBILE.sub(_mask_phone, text)  # before cards: "+86 138…" is 13 digits and may pass Luhn
    text = _CARD.sub(_mask_card, text)
    text = _PHONE.sub(_mask_phone, text)
    return _EMAIL.sub(_mask_email, text)
