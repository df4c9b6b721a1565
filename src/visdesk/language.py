"""Answer-language detection: customers get answers in the language they asked in."""

from __future__ import annotations

import re

from visdesk.domain import Language

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> Language:
    """'zh' when the question is mainly Chinese (CJK characters outnumber Latin words), else 'en'.

    Mixed questions such as "这个 SKU 有货吗" are Chinese: the Latin part is usually a code or name.
    """
    cjk = len(_CJK.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    return "zh" if cjk > 0 and cjk >= latin_words else "en"
