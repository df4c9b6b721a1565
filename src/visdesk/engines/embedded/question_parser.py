"""parse_question: a customer's words → QuerySpec (operation, target, expected type, selectors).

Why this shape: the question is read once, in a fixed order — options listed, the asking sentence,
politeness stripped, then the operation from the ordered cue table (data/cues/<lang>.toml), the
fields the lexicon knows, selectors (names, years, codes, items bought) and what is left as the
target. Every wording lives in the data files; this module holds only the order of reading.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal, cast

from visdesk.engines.embedded import question_text as qt
from visdesk.engines.embedded.lexicon import LANGUAGES, Cues, Language, OperationRule, cues, key, lexicon
from visdesk.engines.embedded.query import Comparator, Operation, QuerySpec
from visdesk.engines.embedded.question_selectors import content_words as _content_words
from visdesk.engines.embedded.question_selectors import selectors as _selectors
from visdesk.engines.embedded.question_selectors import zh_tagger as _zh_tagger
from visdesk.perception.document import ValueKind
from visdesk.perception.values import find_values

_AB_NOT_AB = re.compile(r"(.)[不没]\1")
_EXPLICIT_YESNO = ("是/否", "是或否", "yes or no", "yes/no")
_ZH_ASKS = re.compile(r"多少|什么|哪|几|谁|怎么|如何|啥|咋")
_ZH_CLAIM = re.compile(r"是\s*\S+?\s*[吗么嘛]$|了\s*[吗么嘛]$")
"""After a polite request frame: a question word asks for a value; "是X吗" / "…了吗" state a claim to verify."""
_HOW_MUCH_THING = re.compile(
    r" how much (?!more |less |money |is |are |was |were |do |does |did |will |would |can |could |should |has |have "
    r"|had |it |this |that |they |he |she |i |we |you |tax|cost|[a-z]* ?(?:fee|price|tax|cost)s? )[a-z]+ "
)
_AMOUNT_WORDS = ("budget", "预算", "limit", "限额", "额度")
_WHICH_EN = re.compile(
    r"(?i)\b(?:which|what)\s+(?!(?:is|are|was|were|does|do|did|has|have|kind|type|the|a|an|this|that|it|should|can|could|would|will|one|ones)\b)([a-z]+)"
)
_WHICH_ZH = re.compile(r"哪(?:一)?(个|家|位|款|项|种|条|件|张|些|天|月|年|周|次|里|儿)?")
_LOOKUP_SUBJECTS = frozenset(
    {"天", "年", "月", "日", "周", "家", "位", "店", "day", "date", "store", "shop", "company"}
)
"""Subjects of a which-question that ask for a value, even after a describe cue ("这是哪天…")."""
_ZH_UNITS = {"天": "天", "月": "月", "年": "年", "周": "周", "次": "次"}  # "哪天", "哪个月": the unit is the subject


def warm() -> None:
    """Load the lexicon, the cues and jieba's dictionary now (at engine start), not on the first question."""
    _zh_tagger()
    for language in LANGUAGES:
        cues(language)
    _generic()


@cache
def _generic() -> frozenset[str]:
    """Aliases that only say what kind of value is wanted ("how much", "多少钱"): a named field wins over them."""
    words: set[str] = set()
    for language in LANGUAGES:
        c = cues(language)
        for table in (c.expected_strong, c.expected_weak):
            words |= {key(w) for phrases in table.values() for w in phrases}
    return frozenset(words) | lexicon().generic


@cache
def _operation_cue_keys(language: Language) -> frozenset[str]:
    """Every operation cue of a language: "一共" names the total field but also asks for a sum or a count."""
    return frozenset(key(cue) for rule in cues(language).operations for cue in rule.cues)


@cache
def _alias_index() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One alternation of the English aliases (longest first) and the list of the others (zh, symbols)."""
    english: list[str] = []
    other: list[str] = []
    for entry in lexicon().fields.values():
        for alias in entry.all_aliases():
            low = alias.casefold()
            if key(alias) in _generic() or len(key(alias)) < 2:
                continue
            (english if low.isascii() and low[:1].isalnum() else other).append(low)
    ordered = sorted(set(english), key=len, reverse=True)
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, ordered)) + r")(?:s|es)?(?![a-z0-9])")
    return pattern, tuple(sorted(set(other), key=len, reverse=True))


def parse(question: str, language: Literal["zh", "en"]) -> QuerySpec:
    """Read a question (any mix of zh and en; the cues follow its script, the reply its `language`)."""
    text = qt.normalise(question)
    quote = qt.quoted(text)
    outside = text.replace(quote, " ") if quote else text  # 'what is entered for "身份证号码"?' reads as English
    lang: Literal["zh", "en"] = "zh" if qt.CJK.search(outside) else "en"
    c = cues(lang)
    body, choices = qt.split_choices(text, c)
    ask, context = qt.focus(body)
    core, requested = _strip_politeness(ask, c)
    hay = qt.padded(core) if lang == "en" else core.casefold()
    yesno = _is_yesno(core, hay, c, choices, requested) or any(m in body.casefold() for m in _EXPLICIT_YESNO)
    limits = qt.thresholds(core, c)
    limit = limits[0] if limits else None
    budget = qt.money_held(context, c) if context else None
    bare = core.replace(quote, " ") if quote else core  # a quoted label is the target, not a selector
    rows, columns, weights, used = _selectors(bare, c, limits, context)
    found = [f for f in _fields(core, lang) if not any(f[1] in r and f[1] != r for r in rows)]
    cue_words = _operation_cue_keys(lang)
    found.sort(key=lambda f: key(f[1]) in cue_words)  # "一共几件商品": 商品 before the cue word 一共
    field_names = tuple(dict.fromkeys(name for _, _, names in found for name in names))
    asked = qt.padded(ask) if lang == "en" else ask.casefold()  # "图里是什么" is a cue before politeness goes
    rule = _operation(asked + hay, c, yesno=yesno, rows=rows, weights=weights, choices=choices, limit=limit)
    op = Operation(rule.op) if rule else Operation.VERIFY if yesno else Operation.LOOKUP
    if yesno and rule is not None and rule.needs_options and " than " in hay:  # "Does Rent have a larger share than
        op = Operation.COMPARE  # Savings?": a verdict on two rows, not which of them
        limit = qt.Threshold(">" if rule.op == "argmax" else "<", None, (0, 0))
    if quote and op in (Operation.VERIFY, Operation.DESCRIBE):
        op = Operation.LOOKUP
    numeric = any(lexicon().kind(n) in ("number", "money") for _, surface, names in found for n in names
                  if key(surface) not in cue_words)  # fmt: skip
    if op is Operation.COUNT and limit is None and (rows or numeric):
        op = Operation.LOOKUP  # "How many bears are at the Atlantic Zoo?", "How many are in stock?": a printed number
    state, claim = _state(hay, lang) if op is Operation.VERIFY else ("", "")
    claim = _qualified(claim, core, rows, lang)
    polarity = not _negated(hay, claim, c) if op in (Operation.VERIFY, Operation.COMPARE) else True
    if op is Operation.COMPARE and limit is not None and limit.value is None and any(m in hay for m in c.causes):
        op = Operation.VERIFY  # "是不是因为超过限额？": whether the page states that cause, not a comparison
    subject = _subject(core, lang)
    if not field_names and subject and not quote:
        field_names = _subject_fields(subject)  # "在哪个店买的？": the shop is the store field
    if op is Operation.DESCRIBE and subject and (field_names or subject in _LOOKUP_SUBJECTS):
        op = Operation.LOOKUP  # "这是哪家店的小票？", "这是哪天买的？": which shop, which day — not "what is this"
    if rule is not None:  # "the range of the numbers", "in total": the field word is the operation's cue
        cue_spans = [cue for cue in rule.cues if qt.has(hay, cue, lang)]
        found = [f for f in found if not any(f[1].casefold() in cue for cue in cue_spans)]
        field_names = tuple(dict.fromkeys(name for _, _, names in found for name in names))
    implied = next((f for cue, f in c.implied_target.items() if qt.has(hay, cue, lang)), "")
    if implied and any(lexicon().kind(n) == lexicon().kind(implied) for n in field_names):
        implied = ""  # "发货日期最晚": the named ship date is more precise than "latest" → a date
    if implied:  # "哪个商品最贵": the price is compared, the product is what the answer names
        field_names = (implied, *(f for f in field_names if f != implied))
    words = _content_words(bare, c, rule, used | {claim, subject} | {limit_text(core, t) for t in limits}, found)
    target = quote or (found[0][1] if found else "") or (words[0] if words else "") or subject  # "What date is on it?"
    if implied and (not target or (subject and subject.casefold() in target.casefold())):
        target = lexicon().fields[implied].display(lang)
    comparator, threshold = _comparison(op, limit, budget, hay, c)
    second = limits[1] if len(limits) > 1 and comparator is not None and limits[1].value is not None else None
    if op is Operation.COMPARE and threshold is None and not rows and words[1:]:
        rows = (words[-1],)  # "Is the total over budget?": compare against another printed amount
    return QuerySpec(
        question=question,
        language=language,
        operation=op,
        target=target,
        expected=_from_choices(choices)
        or _expected(hay, c, rule, _typed_fields(found, field_names), op, tuple(f[1] for f in found)),
        polarity=polarity,
        claim=claim or (target if op is Operation.VERIFY else ""),
        comparator=comparator,
        threshold=threshold,
        rows=rows,
        columns=columns,
        choices=choices,
        quoted=quote,
        confidence=_confidence(rule, op, found, target),
        fields=field_names,
        subject=subject,
        weights=weights,
        budget=budget,
        state=state,
        row_state="" if threshold is not None else _row_state(hay, c, op, subject),
        keywords=tuple(w for w in words if w != target),
        comparator2=cast(Comparator, second.comparator) if second else None,
        threshold2=second.value if second else None,
    )


def _subject_fields(subject: str) -> tuple[str, ...]:
    """The fields a which-question's subject names: as an alias, or as the first word of one (店 → 店名)."""
    book = lexicon()
    if key(subject) in _generic():
        return ()  # "What value is given for …": a kind of value, not a field
    owned = book.owners(subject)
    if owned:
        return owned
    if len(subject) != 1 or subject.isascii():
        return ()
    starts = [name for name, entry in book.fields.items()
              if any(a.startswith(subject) for a in entry.aliases.get("zh", ()))]  # fmt: skip
    return tuple(starts[:1]) if len(starts) == 1 else ()


def _row_state(hay: str, c: Cues, op: Operation, subject: str) -> str:
    """'high' / 'low' / 'abnormal' when a which-question selects rows by a state ("Which test is above the
    reference range?", "哪项偏高？"); '' otherwise."""
    if op not in (Operation.LOOKUP, Operation.COUNT) or (op is Operation.LOOKUP and not subject):
        return ""
    return next((state for state, words in c.row_states.items() if qt.first(hay, words, c.language)), "")


def _typed_fields(found: list[tuple[int, str, tuple[str, ...]]], names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields whose kind may set the answer's type: none when the first alias is ambiguous between kinds."""
    if found and len({lexicon().kind(n) for n in found[0][2]}) > 1:
        return ()  # "my package": a package name (code) or a parcel (text)
    return names


def _from_choices(choices: tuple[str, ...]) -> ValueKind | None:
    """Listed options of one shape say the answer's type ("Choices: 1:00 A.M., 2:55 A.M." → time)."""
    if len(choices) < 2:
        return None
    if all(qt.TIME.search(o) or re.fullmatch(r"\d{1,2}:\d{2}", o) for o in choices):
        return "time"
    if all(qt.MONEY.fullmatch(o.strip()) for o in choices):
        return "money"
    if all(qt.NUMBER.fullmatch(o.strip()) for o in choices):
        return "number"
    return None


def limit_text(core: str, limit: qt.Threshold | None) -> str:
    return core[limit.span[0] : limit.span[1]] if limit else ""


@cache
def _politeness(language: Language) -> re.Pattern[str]:
    c = cues(language)
    words = "|".join(re.escape(p) for p in c.politeness)
    if language == "en":
        return re.compile(rf"(?i)(?<![\w'])(?:{words})(?![\w'])\s*,?")
    # a one-character frame ("请") only where a clause starts: 申请, 邀请 keep theirs
    return re.compile("|".join(re.escape(p) if len(p) > 1 else rf"(?<![\u4e00-\u9fff]){re.escape(p)}"
                               for p in c.politeness))  # fmt: skip


def _strip_politeness(text: str, c: Cues) -> tuple[str, bool]:
    """Drop polite frames ("Can you tell me …", "能不能告诉我…") wherever they sit; and whether one asked to be told."""
    folded = text.casefold()
    requested = bool(qt.first(qt.padded(folded) if c.language == "en" else folded, c.request_frames, c.language))
    out = _politeness(c.language).sub(" ", text)
    out = " ".join(out.split()).strip(" ,，")
    return out or text, requested


def _is_yesno(core: str, hay: str, c: Cues, choices: tuple[str, ...], requested: bool) -> bool:
    """A yes/no question; "Can you tell me …?" / "能告诉我…吗？" ask for a value unless they ask whether."""
    options = {o.casefold() for o in choices}
    if options and not options <= {"yes", "no", "是", "否", "有", "没有", "对", "不对"}:
        return False  # "… shortage or surplus?" picks an option
    if options:
        return True
    if c.language == "en":
        if " yes or no " in hay or hay.startswith((" whether ", " if ")):
            return True
        return not requested and any(hay.startswith(f" {opener} ") for opener in c.yesno_openers)
    stripped = hay.rstrip(" ?？。!！")
    if any(m in hay for m in c.yesno_markers) or _AB_NOT_AB.search(stripped):
        return True
    asks_what = stripped.endswith(("什么", "怎么", "那么", "这么", "多么"))  # 么 closing a question word
    if requested and not asks_what and stripped.endswith(c.yesno_particles) and not _ZH_ASKS.search(stripped):
        return bool(_ZH_CLAIM.search(stripped))  # "帮我看看，我的座位是19B吗": a claim to check, not a value to read
    return not requested and not asks_what and stripped.endswith(c.yesno_particles)


def _negated(hay: str, claim: str, c: Cues) -> bool:
    """A negated yes/no question; "扣了没有？", "有没有" and "是不是" ask, they do not negate."""
    text = hay
    if c.language == "zh":
        text = re.sub(r"(?:了)?(?:没有|没)\s*[?？]?\s*$", " ", _AB_NOT_AB.sub(" ", text.rstrip()))
        for marker in c.yesno_markers:
            text = text.replace(marker, " ")
        text = text.replace(claim.casefold(), " ") if claim else text
        return any(n in text for n in c.negations)
    text = text.replace(claim.casefold(), " ") if claim else text
    return any(qt.has(text, n, "en") for n in c.negations) or "n't " in text


def _operation(
    hay: str,
    c: Cues,
    *,
    yesno: bool,
    rows: tuple[str, ...],
    weights: tuple[float, ...],
    choices: tuple[str, ...],
    limit: qt.Threshold | None,
) -> OperationRule | None:
    """The first rule of the ordered table whose cues are present and whose conditions hold."""
    for rule in c.operations:
        if not qt.first(hay, rule.cues, c.language) or qt.first(hay, rule.unless, c.language):
            continue
        if rule.yesno and not yesno:
            continue
        if rule.min_rows and len(rows) < rule.min_rows and not (rows and weights):
            continue
        if rule.needs_options and len(choices) + len(rows) < 2:
            continue
        against_amount = qt.first(hay, c.budget, c.language) or qt.first(hay, _AMOUNT_WORDS, c.language)
        two_sides = limit is not None and _is_than(hay, limit, c)  # "高于抖音", "larger than Savings"
        if rule.op == "compare" and (limit is None or limit.value is None) and not (against_amount or two_sides):
            continue  # "over" with no number and no amount named is not a comparison
        return rule
    return None


def _is_than(hay: str, limit: qt.Threshold, c: Cues) -> bool:
    """A comparator that compares two things ("higher than", "高于"), not a preposition ("under warranty")."""
    phrase = hay[limit.span[0] : limit.span[1]] if c.language == "zh" else ""
    return " than " in hay if c.language == "en" else phrase.endswith("于")


def _comparison(
    op: Operation, limit: qt.Threshold | None, budget: float | None, hay: str, c: Cues
) -> tuple[Comparator | None, float | None]:
    if op is Operation.COMPARE and qt.first(hay, c.budget, c.language):
        return "<=", budget if limit is None or limit.value is None else limit.value
    if limit is None or op not in (Operation.COMPARE, Operation.COUNT, Operation.VERIFY, Operation.LOOKUP):
        return None, None
    if limit.value is None and op is not Operation.COMPARE:
        return None, None  # "still under warranty": a preposition, not a threshold
    return cast(Comparator, limit.comparator), limit.value


def _fields(core: str, lang: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Lexicon aliases in the question, longest first, none inside a longer one: (start, surface, fields)."""
    lex = lexicon()
    folded = core.casefold()
    pattern, others = _alias_index()
    hits = [(m.start(), m.end(), m.group(1)) for m in pattern.finditer(folded)]
    for low in others:
        at = folded.find(low)
        if at >= 0:
            hits.append((at, at + len(low), low))
    taken: list[tuple[int, int]] = []
    out: list[tuple[int, str, tuple[str, ...]]] = []
    for start, end, alias in sorted(hits, key=lambda h: h[0] - h[1]):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        out.append((start, core[start:end], lex.ambiguous.get(key(alias)) or lex.owners(alias)))
    return sorted(out, key=lambda h: -len(h[1]))


def named_fields(text: str) -> list[str]:
    """Canonical fields an arbitrary text names ("order_no" for "Order ID"), longest alias first."""
    lang = "zh" if qt.CJK.search(text) else "en"
    return list(dict.fromkeys(name for _, _, names in _fields(text, lang) for name in names))


def _state(hay: str, lang: str) -> tuple[str, str]:
    """The state a yes/no question asserts, longest wording first: ("approved", "批了")."""
    best = ("", "")
    for state, words in lexicon().states.items():
        for word in words.get(cast(Literal["zh", "en"], lang), ()):
            if len(word) > len(best[1]) and qt.has(hay, word.casefold(), lang):
                best = (state, word)
    return best


def _qualified(claim: str, core: str, rows: tuple[str, ...], lang: str) -> str:
    """The claim with the name right before it: "3C认证", "CE mark" — not any 认证 / mark on the page."""
    if not claim:
        return claim
    sep = "" if lang == "zh" else " "
    low = core.casefold()
    for row in rows:
        joined = f"{row}{sep}{claim}".casefold()
        at = low.find(joined)
        if at >= 0:
            return core[at : at + len(joined)]
    return claim


def _subject(core: str, lang: str) -> str:
    if lang == "en":
        m = _WHICH_EN.search(core)
        return m.group(1) if m else ("person" if re.search(r"(?i)\bwho\b", core) else "")
    m = _WHICH_ZH.search(core)
    if m is None:
        return "谁" if "谁" in core else ""
    unit = m.group(1) or ""
    if unit in ("里", "儿"):
        return ""  # 哪里 / 哪儿 ask where, not which
    if unit in _ZH_UNITS:
        return _ZH_UNITS[unit]
    if core[m.end() : m.end() + 1] in _ZH_UNITS:
        return _ZH_UNITS[core[m.end()]]  # 哪个月
    for pair in _zh_tagger().cut(core[m.end() :], HMM=False):  # the noun after 哪个: "哪个地区的…" → 地区
        if pair.flag.startswith(("n", "t", "s", "eng")):
            return str(pair.word)
        break
    return unit if unit not in ("个", "些") else ""  # "哪一项", "哪款": the classifier names the kind


def _expected(
    hay: str, c: Cues, rule: OperationRule | None, fields: tuple[str, ...], op: Operation, named: tuple[str, ...] = ()
) -> ValueKind | None:
    if rule and rule.expected:
        return rule.expected
    if op in (Operation.VERIFY, Operation.EXPLAIN, Operation.DESCRIBE, Operation.COMPATIBLE, Operation.RECOMMEND):
        return None
    if op in (Operation.ARGMAX, Operation.ARGMIN):
        return None  # the answer is the label of the row that wins (its `subject`), not a value
    if op is Operation.COMPARE and any(v.kind == "money" for _, _, v in find_values(hay.upper())):
        return "money"  # "Is the refund more than RM100?": an amount is compared (currency codes read upper-case)
    for kind, phrases in c.expected_strong.items():
        if qt.first(hay, phrases, c.language):
            return cast(ValueKind, kind)
    field_kind = lexicon().kind(fields[0]) if fields else None  # the field asked about, not one named beside it
    if field_kind and field_kind != "text":
        return field_kind
    if c.language == "en" and _HOW_MUCH_THING.search(hay):
        return "number"  # "how much cheese was eaten": a quantity, not money
    for phrase in named:  # a weak cue inside the field's own name ("reference range") says nothing of its type
        hay = re.sub(re.escape(phrase), " ", hay, flags=re.IGNORECASE) if phrase else hay
    for kind, phrases in c.expected_weak.items():
        if qt.first(hay, phrases, c.language):
            return cast(ValueKind, kind)
    return "number" if op in (Operation.COUNT, Operation.SUM, Operation.DIFFERENCE) else None


def _confidence(rule: OperationRule | None, op: Operation, found: list[Any], target: str) -> float:
    if rule is not None:
        return 0.9
    if op is Operation.VERIFY:
        return 0.85
    if found:
        return 0.85
    return 0.6 if target else 0.3
