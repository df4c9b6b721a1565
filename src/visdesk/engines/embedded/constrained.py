"""Constrained outputs: one of the given choices, an object that satisfies a JSON schema, a regex match,
and a token budget.

Why in the engine: only the engine knows which evidence each value came from; the answer text is
the constrained value itself (the label, the JSON, the match) so API clients can parse it, and
Delta.structured says whether the constraint was met.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import jsonschema
import referencing.exceptions
import regex  # not `re`: used for its timeout
from rapidfuzz import fuzz

from visdesk.domain import Evidence, Perception, Table
from visdesk.engines.embedded.document_view import document_of
from visdesk.engines.embedded.lexicon import key as normalise
from visdesk.engines.embedded.lexicon import lexicon
from visdesk.engines.embedded.operations import lookup
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.question_parser import named_fields as fields_in
from visdesk.engines.embedded.reply import Reply, ev
from visdesk.engines.embedded.resolve import similarity
from visdesk.errors import AppError, ErrorCode

REGEX_BUDGET_S = 0.25  # matching time a `regex` option may use per answer (all candidates together)
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9_]+|[^\sA-Za-z0-9_\u3400-\u9fff]")


def truncate_tokens(text: str, max_tokens: int) -> tuple[str, bool]:
    """Cut `text` after about `max_tokens` tokens (a CJK character or a word or a symbol each)."""
    for count, match in enumerate(_TOKEN.finditer(text), start=1):
        if count > max_tokens:
            return text[: match.start()].rstrip(), True
    return text, False


def choose(reply: Reply, choices: tuple[str, ...], seen: Perception | None, question: str, lang: str) -> Reply:
    """Pick the label the evidence supports best; fall back to the closest label and say how sure we are."""
    haystack = normalise(" ".join([reply.text, seen.text if seen else ""]))
    scores: dict[str, float] = {}
    for label in choices:
        norm = normalise(label)
        if not norm:
            scores[label] = 0.0
            continue
        grams = {norm[i : i + 2] for i in range(len(norm) - 1)} or {norm}
        overlap = sum(1 for g in grams if g in haystack) / len(grams)
        for field in fields_in(label):
            if any(normalise(alias) in haystack for alias in lexicon().aliases(field)):
                overlap = max(overlap, 0.8)
        scores[label] = 1.0 if norm in haystack else overlap
    best = max(choices, key=lambda label: scores[label])
    confidence = scores[best]
    method = "evidence"
    if confidence < 0.3:
        best = max(choices, key=lambda label: fuzz.partial_ratio(normalise(label), haystack))
        confidence = min(0.3, fuzz.partial_ratio(normalise(best), haystack) / 300)
        method = "closest"
    structured = {
        "choice": best,
        "valid": True,
        "confidence": round(confidence, 2),
        "method": method,
        "scores": {k: round(v, 2) for k, v in scores.items()},
    }
    return Reply(text=best, evidence=reply.evidence, passages=reply.passages, structured=structured, value=best)


def match_regex(reply: Reply, pattern: str, seen: Perception | None, lang: str) -> Reply:
    """The first candidate (the answer's value, then key-values, then lines) the pattern matches.

    Why the `regex` library: its matcher takes a timeout, so a catastrophically backtracking pattern
    (`(a+)+$` on a long line) costs at most REGEX_BUDGET_S for the whole image, then a 400.
    """
    try:
        compiled = regex.compile(pattern)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, f"The regex option is not a valid pattern: {exc}.") from exc
    candidates = [reply.value] if reply.value else []
    if seen is not None:
        candidates += [kv.value for kv in seen.key_values] + [line.text for line in seen.lines]
    deadline = time.monotonic() + REGEX_BUDGET_S
    for candidate in candidates:
        found = _timed_match(compiled, candidate, deadline)
        if found and found.group(0):
            value = found.group(0)
            evidence = [e for e in reply.evidence if value in e.text]
            if not evidence and seen is not None:
                evidence = [ev(line) for line in seen.lines if value in line.text][:1]
            return Reply(text=value, evidence=evidence, structured={"valid": True, "value": value}, value=value)
    text = "图中没有找到符合要求格式的内容。" if lang == "zh" else "Nothing in the image matches the requested pattern."
    return Reply(text=text, structured={"valid": False, "value": None}, confident=False)


def _timed_match(compiled: regex.Pattern[str], text: str, deadline: float) -> regex.Match[str] | None:
    try:
        return compiled.fullmatch(text, timeout=_left(deadline)) or compiled.search(text, timeout=_left(deadline))
    except TimeoutError as exc:
        raise AppError(
            ErrorCode.INVALID_REQUEST,
            f"regex: the pattern took longer than {REGEX_BUDGET_S:g} s to match the image text (nested "
            "repetition such as (a+)+ backtracks exponentially); send a simpler pattern.",
            details={"field": "regex", "budget_s": REGEX_BUDGET_S},
        ) from exc


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


def fill_schema(schema: dict[str, Any], seen: Perception | None, question: str, lang: str) -> Reply:
    try:
        validator_cls = jsonschema.validators.validator_for(schema)
        validator_cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, f"response_format is not a valid JSON schema: {exc.message}") from exc
    target = schema.get("schema", schema) if "properties" not in schema and "items" not in schema else schema
    data = _fill(target, seen, question, lang)
    try:
        errors = [e.message for e in validator_cls(target).iter_errors(data)]
    except (RecursionError, referencing.exceptions.Unresolvable) as exc:  # schema_guard refuses these first
        raise AppError(ErrorCode.INVALID_REQUEST, "response_format: its $ref references cannot be resolved.") from exc
    text = json.dumps(data, ensure_ascii=False)
    return Reply(
        text=text,
        evidence=_evidence_for(data, seen),
        structured={"data": data, "valid": not errors, "errors": errors},
        confident=not errors,
        value=text,
    )


def _evidence_for(data: Any, seen: Perception | None) -> list[Evidence]:
    """The OCR lines that hold the filled values (strings and numbers as printed)."""
    if seen is None:
        return []
    values = data.values() if isinstance(data, dict) else [v for item in data for v in item.values()]
    wanted = {str(v) for v in values if isinstance(v, str | int | float) and not isinstance(v, bool) and str(v)}
    return [ev(line) for line in seen.lines if any(w == line.text or (len(w) >= 3 and w in line.text) for w in wanted)]


def _fill(schema: dict[str, Any], seen: Perception | None, question: str, lang: str) -> Any:
    kind = schema.get("type")
    if kind == "array":
        item = schema.get("items", {})
        props: dict[str, Any] = item.get("properties", {}) if isinstance(item, dict) else {}
        table = _matching_table(seen, list(props)) if props else None
        if table is None:
            return []
        return [_coerce_object(props, _row_object(table, r, list(props))) for r in range(len(table.rows))]
    props = schema.get("properties", {})
    if not props:
        return {}
    table = _matching_table(seen, list(props))
    if table is not None:
        return _coerce_object(props, _row_object(table, _question_row(table, question), list(props)))
    values: dict[str, Any] = {}
    for name, spec in props.items():
        label = name + " " + str(spec.get("description", "") if isinstance(spec, dict) else "")
        values[name] = _field_value(seen, name, label, lang)
    return _coerce_object(props, values)


def _field_value(seen: Perception | None, name: str, label: str, lang: str) -> str | None:
    """A schema property's value: the resolver's lookup of the property's name (and its description's fields)."""
    if seen is None or not seen.lines:
        return None
    words = " ".join(label.replace("_", " ").split())  # "invoice_code" is asked as "invoice code"
    fields = tuple(fields_in(words))
    expected = lexicon().kind(fields[0]) if fields else None
    target = " ".join(name.replace("_", " ").split())
    spec = QuerySpec(target, "zh" if lang == "zh" else "en", Operation.LOOKUP, target=target, fields=fields,
                     expected=expected if expected != "text" else None)  # fmt: skip
    found = lookup(document_of(seen), spec)
    return found.value if found is not None and found.value else None


def _matching_table(seen: Perception | None, names: list[str]) -> Table | None:
    if seen is None:
        return None
    for table in seen.tables:
        hits = sum(1 for n in names if _header_index(table, n) is not None)
        if table.header and hits >= max(1, len(names) // 2):
            return table
    return None


def _header_index(table: Table, name: str) -> int | None:
    scores = [similarity(h, name) for h in table.header]
    best = max(range(len(scores)), key=lambda i: scores[i], default=None)
    return best if best is not None and scores[best] >= 0.75 else None


def _question_row(table: Table, question: str) -> int:
    q = normalise(question)
    for r, row in enumerate(table.rows):
        if row and normalise(row[0]) and normalise(row[0]) in q:
            return r
    return 0


def _row_object(table: Table, r: int, names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        c = _header_index(table, name)
        out[name] = table.rows[r][c] if c is not None and c < len(table.rows[r]) else None
    return out


def _coerce_object(props: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in props.items():
        value = values.get(name)
        spec = spec if isinstance(spec, dict) else {}
        types = spec.get("type")
        types = types if isinstance(types, list) else [types]
        if value is None:
            out[name] = None
            continue
        if "enum" in spec and value not in spec["enum"]:
            value = max(spec["enum"], key=lambda e: similarity(str(e), str(value)))
        if ("number" in types or "integer" in types) and isinstance(value, str):
            number = re.search(r"-?\d[\d,]*(?:\.\d+)?", value)
            if number:
                parsed = float(number.group(0).replace(",", ""))
                value = int(parsed) if "integer" in types and parsed.is_integer() else parsed
        out[name] = value
    return out
