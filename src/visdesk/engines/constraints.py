"""Constrained output for VLM engines: what to ask the server for, and checking what came back.

Why both: a server that enforces the constraint while decoding (vLLM ≥ 0.12
`structured_outputs`, SGLang's `regex` / `response_format`) answers in the right shape from the
first token, but the reply is still checked here: the server may be an older or different one,
the kind may be set wrong, and the customer's client relies on `structured.valid`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import jsonschema

from visdesk.domain import GenerationOptions
from visdesk.errors import AppError, ErrorCode

ServerKind = Literal["vllm", "sglang", "openai"]
_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def schema_of(options: GenerationOptions) -> dict[str, Any] | None:
    """The JSON schema asked for (a bare schema, or OpenAI's {"schema": …} wrapper), checked."""
    if not options.response_format:
        return None
    fmt = options.response_format
    schema = fmt["schema"] if isinstance(fmt.get("schema"), dict) and "properties" not in fmt else fmt
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, f"response_format is not a valid JSON schema: {exc.message}") from exc
    return schema


def compiled_regex(options: GenerationOptions) -> re.Pattern[str] | None:
    if not options.regex:
        return None
    try:
        return re.compile(options.regex)
    except re.error as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, f"The regex option is not a valid pattern: {exc}.") from exc


def choice_regex(choices: tuple[str, ...]) -> str:
    """Choices as one alternation, escaping only regex metacharacters (grammar engines reject `\\ `)."""
    return "(" + "|".join(_REGEX_SPECIAL.sub(r"\\\1", c) for c in choices) + ")"


def upstream_fields(options: GenerationOptions, kind: ServerKind) -> dict[str, Any]:
    """Request fields that make the server enforce the constraint (one: schema, else regex, else choices).

    vLLM ≥ 0.12: `structured_outputs: {"json" | "regex" | "choice": …}` (guided_* were removed).
    SGLang: `response_format` json_schema, a top-level `regex` (choices become one). OpenAI kind:
    `response_format` only; choices and regex then travel as prompt text and the local check.
    """
    schema, regex = schema_of(options), compiled_regex(options)
    json_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
    if kind == "vllm":
        if schema is not None:
            return {"structured_outputs": {"json": schema}}
        if regex is not None:
            return {"structured_outputs": {"regex": regex.pattern}}
        if options.choices:
            return {"structured_outputs": {"choice": list(options.choices)}}
        return {}
    if schema is not None:
        return {"response_format": json_format}
    if kind == "sglang" and regex is not None:
        return {"regex": regex.pattern}
    if kind == "sglang" and options.choices:
        return {"regex": choice_regex(options.choices)}
    return {}


def check_reply(text: str, options: GenerationOptions) -> dict[str, Any] | None:
    """`Delta.structured` for the reply: the parsed value and whether it meets the constraint."""
    schema = schema_of(options)
    if schema is not None:
        try:
            data = json.loads(text)
        except ValueError:
            return {"data": None, "valid": False, "errors": ["the answer is not JSON"]}
        errors = [e.message for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(data)]
        return {"data": data, "valid": not errors, "errors": errors}
    regex = compiled_regex(options)
    if regex is not None:
        found = regex.fullmatch(text.strip())
        return {"valid": found is not None, "value": found.group(0) if found else None}
    if options.choices:
        answer = text.strip()
        chosen = next((c for c in options.choices if c == answer), None)
        if chosen is None:
            chosen = next((c for c in options.choices if c.casefold() == answer.casefold().rstrip(".。")), None)
        return {"choice": chosen, "valid": chosen is not None}
    return None
