"""The lexicon data files: every alias is owned by one field or declared ambiguous, and the old table still reads.

Why a test: aliases are added by hand in data/lexicon/*.toml; an alias silently listed under two
fields makes the resolver pick one at random, so a second owner must be declared on purpose.
"""

from __future__ import annotations

from typing import get_args

from visdesk.engines.embedded.lexicon import LANGUAGES, cues, key, lexicon
from visdesk.engines.embedded.query import Operation, parse_question
from visdesk.engines.embedded.question_parser import named_fields
from visdesk.perception.document import ValueKind


def test_every_alias_is_owned_by_one_field_or_declared_ambiguous() -> None:
    lex = lexicon()
    owners: dict[str, set[str]] = {}
    for name, entry in lex.fields.items():
        for alias in entry.all_aliases():
            owners.setdefault(key(alias), set()).add(name)
    shared = {alias: names for alias, names in owners.items() if len(names) > 1}
    undeclared = {a: sorted(n) for a, n in shared.items() if set(lex.ambiguous.get(a, ())) != n}
    assert not undeclared, f"aliases under several fields, not declared in fields.toml [ambiguous]: {undeclared}"
    stale = {a: f for a, f in lex.ambiguous.items() if a not in shared}
    assert not stale, f"[ambiguous] declarations no field shares any more: {stale}"


def test_fields_have_a_kind_and_names_in_both_languages() -> None:
    kinds = set(get_args(ValueKind))
    for name, entry in lexicon().fields.items():
        assert entry.kind in kinds, name
        assert entry.all_aliases(), f"{name} has no alias"
        assert entry.display("zh") and entry.display("en"), name


def test_states_and_their_opposites_are_known_in_both_languages() -> None:
    lex = lexicon()
    for state, words in lex.states.items():
        assert set(words) == set(LANGUAGES), f"state {state} lacks a language"
    for a, b in lex.opposites.items():
        assert a in lex.states and b in lex.states and lex.opposite(b) == a


def test_the_first_alias_names_the_field_and_longer_aliases_win() -> None:
    assert lexicon().fields["order_no"].display("zh") == "订单号"  # the first alias names the field in zh replies
    assert named_fields("What is the balance due?")[0] == "total"  # "balance due" is money, not a due date


def test_an_ambiguous_alias_names_each_of_its_fields() -> None:
    spec = parse_question("到期日是哪天？", "zh")
    assert set(spec.fields) == {"due_date", "expiry"} and spec.expected == "date"


def test_cue_tables_load_and_name_real_operations() -> None:
    for language in LANGUAGES:
        for rule in cues(language).operations:
            assert Operation(rule.op) and rule.cues, rule
