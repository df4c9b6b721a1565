"""The lexicon and the question cues, loaded once from the data files under `data/`.

Why data files: a new field, alias or wording is a line of TOML, not a branch of code, and the
ownership rule (every alias names one field or is declared ambiguous) can be checked by a test.
The old per-kind handlers read `labels.SYNONYMS`, which is built from the same files.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from visdesk.perception.document import ValueKind
from visdesk.perception.hanzi import simplified

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def key(text: str) -> str:
    """An alias as the lexicon compares it: NFKC, case-folded, traditional variants, no spaces or punctuation."""
    return _PUNCT.sub("", simplified(unicodedata.normalize("NFKC", text).casefold()))


@dataclass(frozen=True)
class FieldEntry:
    """One canonical field: the type of its value and its aliases per language, display name first."""

    name: str
    kind: ValueKind
    aliases: dict[Language, tuple[str, ...]]
    names: dict[Language, str] = field(default_factory=dict)  # display names where the first alias reads badly
    shape: re.Pattern[str] | None = None  # what a value of this field looks like printed alone ("G1234", "05车12F号")
    route: str = ""  # "from" | "to": the field is one end of a printed route ("北京南站 → 上海虹桥站")
    source: str = ""  # "status" | "issuer" | "title": printed unlabelled as the page's status line or heading
    inline: re.Pattern[str] | None = None  # a value marked inside a line ("09车12F号" → 09): named groups
    prefer: str = ""  # "last": of several lines named alike, the last printed (the grand total after subtotals)

    def display(self, language: Language) -> str:
        """The field's name in a reply: its declared name, else its first alias in that language (else the other)."""
        if self.names.get(language):
            return self.names[language]
        own = self.aliases.get(language) or ()
        other = self.aliases.get("en" if language == "zh" else "zh") or ()
        return (own or other or (self.name,))[0]

    def all_aliases(self) -> tuple[str, ...]:
        return tuple(a for lang in LANGUAGES for a in self.aliases.get(lang, ()))


@dataclass(frozen=True)
class Lexicon:
    """Fields, ambiguous aliases, states (what a yes/no question asserts) and their opposites."""

    fields: dict[str, FieldEntry]
    ambiguous: dict[str, tuple[str, ...]]  # alias key → the fields it may name
    states: dict[str, dict[Language, tuple[str, ...]]]
    opposites: dict[str, str]  # both directions
    generic: frozenset[str]  # alias keys that name a kind of value rather than a field
    _owners: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    outcomes: dict[str, str] = field(default_factory=dict)  # state → the outcome it is ("approved" → "positive")
    qualifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "remaining" → 剩余, left …

    def owners(self, alias: str) -> tuple[str, ...]:
        """The fields an alias names: one, several (declared ambiguous) or none."""
        return self._owners.get(key(alias), ())

    def kind(self, field_name: str) -> ValueKind | None:
        entry = self.fields.get(field_name)
        return entry.kind if entry else None

    def aliases(self, field_name: str, language: Language | None = None) -> tuple[str, ...]:
        entry = self.fields[field_name]
        return entry.all_aliases() if language is None else entry.aliases.get(language, ())

    def opposite(self, state: str) -> str:
        return self.opposites.get(state, "")


def _read(*parts: str) -> dict[str, Any]:
    path = resources.files("visdesk.engines.embedded").joinpath("data", *parts)
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def lexicon() -> Lexicon:
    """The lexicon, read once per process."""
    meta = _read("lexicon", "fields.toml")
    per_lang = {lang: _read("lexicon", f"{lang}.toml") for lang in LANGUAGES}
    fields: dict[str, FieldEntry] = {}
    for name, spec in meta["fields"].items():
        aliases = {lang: tuple(per_lang[lang].get(name, ())) for lang in LANGUAGES}
        names = {lang: spec[f"name_{lang}"] for lang in LANGUAGES if spec.get(f"name_{lang}")}
        kind = cast(ValueKind, spec["kind"])
        shape = re.compile(spec["shape"]) if spec.get("shape") else None
        fields[name] = FieldEntry(
            name, kind, aliases, names, shape, str(spec.get("route", "")),
            str(spec.get("source", "")), re.compile(spec["inline"]) if spec.get("inline") else None,
            str(spec.get("prefer", "")),
        )  # fmt: skip
    unknown = {n for lang in LANGUAGES for n in per_lang[lang] if n != "states"} - set(fields)
    if unknown:
        raise ValueError(f"lexicon aliases for undeclared fields: {sorted(unknown)}")
    owners: dict[str, list[str]] = {}
    for name, entry in fields.items():
        for alias in entry.all_aliases():
            bucket = owners.setdefault(key(alias), [])
            if name not in bucket:
                bucket.append(name)
    ambiguous = {key(a): tuple(names) for a, names in meta.get("ambiguous", {}).items()}
    states: dict[str, dict[Language, tuple[str, ...]]] = {}
    for lang in LANGUAGES:
        for state, words in per_lang[lang].get("states", {}).items():
            states.setdefault(state, {})[lang] = tuple(words)
    opposites = dict(meta.get("opposites", {}))
    opposites |= {b: a for a, b in opposites.items()}
    generic = frozenset(key(a) for a in meta.get("generic", {}).get("aliases", ()))
    outcomes = {state: str(outcome) for state, outcome in meta.get("outcomes", {}).items()}
    qualifiers = {name: tuple(words) for name, words in meta.get("qualifiers", {}).items()}
    return Lexicon(
        fields, ambiguous, states, opposites, generic, {k: tuple(v) for k, v in owners.items()}, outcomes, qualifiers
    )


@dataclass(frozen=True)
class OperationRule:
    """One row of the ordered operation table in data/cues/<lang>.toml."""

    op: str
    cues: tuple[str, ...]
    unless: tuple[str, ...] = ()
    min_rows: int = 0
    yesno: bool = False  # applies only to a yes/no question
    needs_options: bool = False  # a comparative: applies only when the question names two or more options
    expected: ValueKind | None = None


@dataclass(frozen=True)
class Cues:
    """The question cues of one language."""

    language: Language
    politeness: tuple[str, ...]
    request_frames: tuple[str, ...]  # "tell me", "告诉我": the question asks for a value, whatever particle ends it
    question_words: frozenset[str]
    multiword_question_words: tuple[str, ...]  # "number of", "how many": removed as phrases before words
    calendar: frozenset[str]  # weekday and month names: always row selectors ("On Sunday, which …")
    operations: tuple[OperationRule, ...]
    comparators: dict[str, tuple[str, ...]]
    comparator_suffix: tuple[str, ...]
    budget: tuple[str, ...]  # "enough", "够不够": compare a cost against money the customer holds
    implied_target: dict[str, str]
    expected_strong: dict[str, tuple[str, ...]]
    expected_weak: dict[str, tuple[str, ...]]
    negations: tuple[str, ...]
    choices: tuple[str, ...]
    choice_separators: tuple[str, ...]
    item_joiners: tuple[str, ...]
    item_verbs: tuple[str, ...]
    money_holders: tuple[str, ...]
    yesno_openers: tuple[str, ...] = ()
    yesno_particles: tuple[str, ...] = ()
    yesno_markers: tuple[str, ...] = ()
    row_states: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "high" → "above the reference range" …
    presence_noise: tuple[str, ...] = ()  # words that only frame a presence yes/no ("Does it show …")
    causes: tuple[str, ...] = ()  # "because of", "因为": a yes/no about a cause


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


@cache
def cues(language: Language) -> Cues:
    """The cue lists of a language, read once per process."""
    raw = _read("cues", f"{language}.toml")
    comparators = dict(raw["comparators"])
    suffix = comparators.pop("suffix", [])
    budget = comparators.pop("budget", [])
    rules = tuple(
        OperationRule(
            op=rule["op"],
            cues=_longest_first(rule["cues"]),
            unless=tuple(rule.get("unless", ())),
            min_rows=int(rule.get("min_rows", 0)),
            yesno=bool(rule.get("yesno", False)),
            needs_options=bool(rule.get("needs_options", False)),
            expected=rule.get("expected"),
        )
        for rule in raw["operation"]
    )
    return Cues(
        language=language,
        politeness=_longest_first(raw["politeness"]),
        request_frames=tuple(raw.get("request_frames", ())),
        question_words=frozenset(raw["question_words"]),
        multiword_question_words=_longest_first([w for w in raw["question_words"] if " " in w]),
        calendar=frozenset(w.casefold() for w in raw.get("calendar", ())),
        operations=rules,
        comparators={op: _longest_first(words) for op, words in comparators.items()},
        comparator_suffix=_longest_first(suffix),
        budget=_longest_first(budget),
        implied_target=dict(raw.get("implied_target", {})),
        expected_strong={k: _longest_first(v) for k, v in raw["expected"]["strong"].items()},
        expected_weak={k: _longest_first(v) for k, v in raw["expected"]["weak"].items()},
        negations=_longest_first(raw["negations"]),
        choices=tuple(raw["choices"]),
        choice_separators=tuple(raw["choice_separators"]),
        item_joiners=tuple(raw["item_joiners"]),
        item_verbs=_longest_first(raw["item_verbs"]),
        money_holders=tuple(raw["money_holders"]),
        yesno_openers=_longest_first(raw.get("yesno_openers", [])),
        yesno_particles=tuple(raw.get("yesno_particles", ())),
        yesno_markers=tuple(raw.get("yesno_markers", ())),
        row_states={state: _longest_first(words) for state, words in raw.get("row_states", {}).items()},
        presence_noise=_longest_first(raw.get("presence", {}).get("noise", [])),
        causes=_longest_first(raw.get("presence", {}).get("causes", [])),
    )


@cache
def concepts() -> tuple[tuple[str, str], ...]:
    """(Chinese, English) concept pairs for presence questions (data/lexicon/concepts.toml)."""
    return tuple((zh, en) for zh, en in _read("lexicon", "concepts.toml")["pairs"].items())
