"""The spec-term lexicon of manual drafts: terms, section headings, mark statements, in zh/en/es/fr.

Why a data file: translating a spec table is a lookup of a closed vocabulary (Input, 输入, Entrada,
Entrée …); a term missing from it is left as printed and goes to the review checklist, never guessed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "terms.json"


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s:：()（）._/-]+", " ", folded).strip()


@dataclass(frozen=True)
class Mark:
    name: str
    pattern: re.Pattern[str]
    statements: dict[str, str]


@dataclass(frozen=True)
class Lexicon:
    languages: tuple[str, ...]
    sections: dict[str, dict[str, str]]
    checklist: dict[str, dict[str, str]]
    terms: dict[str, dict[str, str]]  # canonical id → language → term
    aliases: dict[str, str]  # normalised alias (any language) → canonical id
    longest_first: tuple[tuple[str, str], ...]  # the aliases, longest first (prefix matching)
    marks: tuple[Mark, ...]
    warnings: tuple[str, ...]

    def term_id(self, printed: str) -> str | None:
        """The canonical term a printed spec name stands for ('额定输入' → 'input'), else None."""
        key = _key(printed)
        if key in self.aliases:
            return self.aliases[key]
        # "Input (AC)" / "输入电压": a known term that starts the printed name
        return next((tid for alias, tid in self.longest_first if key.startswith(alias)), None)

    def section(self, key: str, lang: str, /, **values: str) -> str:
        return self.sections[key][lang].format(**values)

    def check(self, key: str, lang: str, /, **values: str) -> str:
        return self.checklist[key][lang].format(**values)


@cache
def lexicon() -> Lexicon:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    languages = tuple(data["languages"])
    aliases: dict[str, str] = {}
    for term_id, entry in data["terms"].items():
        for alias in [*(entry[lang] for lang in languages), *entry.get("aliases", [])]:
            aliases.setdefault(_key(alias), term_id)
    marks = tuple(
        Mark(name, re.compile(entry["pattern"], re.IGNORECASE if name == "WEEE" else 0),
             {lang: entry[lang] for lang in languages})
        for name, entry in data["marks"].items()
    )  # fmt: skip
    return Lexicon(
        languages=languages,
        sections=data["sections"],
        checklist=data["checklist"],
        terms={tid: {lang: entry[lang] for lang in languages} for tid, entry in data["terms"].items()},
        aliases=aliases,
        longest_first=tuple(sorted(aliases.items(), key=lambda item: -len(item[0]))),
        marks=marks,
        warnings=tuple(w.casefold() for w in data["warnings"]),
    )
