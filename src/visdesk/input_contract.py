"""The input contract of an Ask: every client field checked before the pipeline spends work on it.

Why at the pipeline's door rather than in each router: /chat, /v1/chat, /v1/chat/completions and
the Python API all become an Ask, so one check covers every transport and a new route cannot
forget it. The question itself goes through `safety.check_question` (same normaliser, plus its
length cap and the empty check). Each refusal is a 400 that names the field and the cap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import regex  # not `re`: used for its timeout

from visdesk.domain import Ask, GenerationOptions, Turn
from visdesk.errors import AppError, ErrorCode
from visdesk.schema_guard import check_schema
from visdesk.settings import LimitsSettings
from visdesk.text_input import normalise_id, normalise_text, refuse_surrogates

MAX_STOP = 4  # as OpenAI's API
MAX_STOP_CHARS = 200


def checked_ask(
    ask: Ask,
    limits: LimitsSettings,
    check_options: Callable[[GenerationOptions, LimitsSettings], GenerationOptions] | None = None,
) -> Ask:
    """`ask` with its ids, earlier turns and options normalised; AppError (400) on anything out of contract.

    `check_options` stands in for `checked_options` (the pipeline passes a remembering one); the
    checks still run in this order, so the first field out of contract is the one reported."""
    return dataclasses.replace(
        ask,
        session_id=normalise_id(ask.session_id, "session_id", limits.max_session_id_chars),
        history=tuple(_turn(turn) for turn in ask.history) if ask.history else (),
        options=(check_options or checked_options)(ask.options, limits),
    )


def _turn(turn: Turn) -> Turn:
    return dataclasses.replace(
        turn,
        question=normalise_text(turn.question, "earlier user message"),
        answer=normalise_text(turn.answer, "earlier assistant message"),
    )


def checked_options(options: GenerationOptions, limits: LimitsSettings) -> GenerationOptions:
    """Choices, regex, schema and stop strings within their caps (see docs/operations.md "Input limits")."""
    if options.response_format is not None:
        check_schema(options.response_format, max_bytes=limits.max_schema_bytes, max_depth=limits.max_schema_depth)
    return dataclasses.replace(
        options,
        choices=_choices(options.choices, limits),
        regex=_regex(options.regex, limits),
        stop=_stop(options.stop),
    )


def _invalid(field: str, message: str, **details: object) -> AppError:
    return AppError(ErrorCode.INVALID_REQUEST, f"{field}: {message}", details={"field": field, **details})


def _choices(choices: tuple[str, ...], limits: LimitsSettings) -> tuple[str, ...]:
    caps = {"max_choices": limits.max_choices, "max_choice_chars": limits.max_choice_chars}
    if len(choices) > limits.max_choices:
        raise _invalid(
            "choices",
            f"{len(choices)} labels were sent; at most {limits.max_choices} labels of at most "
            f"{limits.max_choice_chars} characters each are accepted.",
            **caps,
        )
    labels: list[str] = []
    for raw in choices:
        if len(raw) > limits.max_choice_chars:
            raise _invalid(
                "choices",
                f"a label has {len(raw)} characters; at most {limits.max_choice_chars} are accepted "
                f"(and at most {limits.max_choices} labels).",
                **caps,
            )
        label = normalise_text(raw, "choices")
        if not label:
            raise _invalid("choices", "a label is empty (or only invisible characters).", **caps)
        if label not in labels:
            labels.append(label)
    return tuple(labels)


def _regex(pattern: str | None, limits: LimitsSettings) -> str | None:
    """Length-capped and compiled once here, so a bad pattern is a 400 before OCR runs.

    Matching time is bounded where the pattern runs (`engines.embedded.constrained.match_regex`,
    with the `regex` library's timeout), because backtracking cost depends on the text matched.
    """
    if pattern is None:
        return None
    if len(pattern) > limits.max_regex_chars:
        raise _invalid(
            "regex",
            f"the pattern has {len(pattern)} characters; at most {limits.max_regex_chars} are accepted.",
            max_chars=limits.max_regex_chars,
        )
    refuse_surrogates(pattern, "regex")  # the pattern itself is kept as sent
    try:
        regex.compile(pattern)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise _invalid("regex", f"not a valid regular expression ({exc}).") from exc
    return pattern


def _stop(stop: tuple[str, ...]) -> tuple[str, ...]:
    if len(stop) > MAX_STOP or any(len(s) > MAX_STOP_CHARS for s in stop):
        raise _invalid("stop", f"at most {MAX_STOP} stop strings of at most {MAX_STOP_CHARS} characters are accepted.")
    for s in stop:
        normalise_text(s, "stop")
    return stop
