"""Explainers for troubleshooting and crash logs: what the image shows, combined with the knowledge base.

Why both: "付不了钱怎么办" is answered by the help-centre article, but the screenshot says *which*
problem it is (an error code, a red warning, an amount over a card's limit); the reply states the
observation first, then the article's advice, and cites the article. A code on screen that the
error-code table does not hold is named as such, never answered with another code's help.
Registered with predicates (see explainers/__init__.py): the core never branches on a document kind.
"""

from __future__ import annotations

import re

from visdesk.domain import EngineRequest, Evidence, OcrLine, Passage, Perception
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.lexicon import key as normalise
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply, ev, say
from visdesk.engines.embedded.wording import phrase
from visdesk.perception.facts import PATTERNS, parse_amount

_LIMIT = re.compile(r"限额|额度|上限|limit", re.IGNORECASE)
_AMOUNT_LABEL = re.compile(r"实付|应付|金额|合计|总额|total|amount|pay", re.IGNORECASE)
_PROBLEM = re.compile(
    r"失败|错误|异常|无法|不能|未|超出|超过|拒绝|过期|不足|暂停|延迟|fail|error|denied|declined|invalid|exceed|"
    r"expired|insufficient|unable|not |timeout|timed out|suspended|delay|awaiting|pending|待发货|未发货|处理中|"
    r"预计|expected|processing|on hold|缺货|out of stock",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[。！？])\s*|(?<=[.!?])\s+")
_LIST_MARKER = re.compile(r"(?:\d{1,2}|[a-zA-Z])[.)、]|[-*•]")
_LIBRARY_FRAME = re.compile(r"\b(?:android|androidx|java|javax|kotlin|dalvik|sun|com\.android|node:|internal/)[./]")


def salient_lines(seen: Perception) -> list[int]:
    """Indexes of what a customer most likely means: red/large lines, error codes, problem words."""
    picked: list[int] = []
    emphasis: dict[int, list[str]] = seen.extras.get("emphasis", {})
    for index, kinds in sorted(emphasis.items()):
        if "red" in kinds or "highlight" in kinds:
            picked.append(index)
    for fact in seen.extras.get("facts", {}).get("error_code", []):
        picked.append(int(fact["line"]))
    for index, line in enumerate(seen.lines):
        if _PROBLEM.search(line.text):
            picked.append(index)
    return list(dict.fromkeys(picked))[:4]


def _seen_codes(seen: Perception | None) -> list[str]:
    """The error codes perception found in the image."""
    return [str(f["text"]) for f in (seen.extras.get("facts", {}).get("error_code", []) if seen else [])]


def _advice(passages: tuple[Passage, ...], codes: list[str], limit: int = 2) -> list[Passage]:
    """Passages to quote: the error-code row of a code seen in the image first, then articles naming
    a seen code, then by score."""

    def rank(p: Passage) -> tuple[int, int, float]:
        hit = any(normalise(code) in normalise(p.text + p.title) for code in codes)
        own_row = hit and p.kind == "error_code"
        return (1 if own_row else 0, 1 if hit else 0, p.score)

    ranked = sorted((p for p in passages if p.kind != "product"), key=rank, reverse=True)
    return ranked[:limit]


def _in_language(passage: Passage, lang: str) -> str:
    """The passage in the customer's language: error-code rows from their per-language fields,
    bilingual articles from the half in that language (the knowledge base splits them)."""
    meta = passage.meta
    if passage.kind == "error_code" and meta.get(f"message_{lang}"):
        zh = lang == "zh"
        labels = (("message", f"错误码 {meta.get('code', '')}", f"Error {meta.get('code', '')}"),
                  ("cause", "原因", "Cause"), ("solution", "解决方法", "Solution"))  # fmt: skip
        parts = [
            f"{label_zh}：{meta[f'{key}_{lang}']}" if zh else f"{label_en}: {str(meta[f'{key}_{lang}']).rstrip('.')}"
            for key, label_zh, label_en in labels
            if meta.get(f"{key}_{lang}")
        ]
        return "。".join(parts) + "。" if zh else ". ".join(parts) + "."
    return str(meta.get(f"text_{lang}") or passage.text)


def _summary(passage: Passage, lang: str, max_chars: int = 160) -> str:
    """Whole sentences of the passage, up to about `max_chars`; a sentence that only introduces a
    list ("常见原因：") is dropped rather than left dangling."""
    text = _in_language(passage, lang).strip()
    if passage.kind == "error_code":
        max_chars = max(max_chars, 260)  # message, cause and solution: the solution is what helps
    sentences = [s.strip() for s in _SENTENCE.split(text.replace("\n", " ")) if s.strip()]
    out = ""
    for sentence in sentences:
        sentence = re.sub(r"[^。.!?！？]*[:：]\s*$", "", sentence).strip()
        if not sentence or _LIST_MARKER.fullmatch(sentence):
            continue
        if out and len(out) + len(sentence) > max_chars:
            break
        out += sentence if not out or lang == "zh" else " " + sentence
    return out or _SENTENCE.split(text)[0][:max_chars]


def _limit_observation(seen: Perception, lang: str) -> tuple[str, list[OcrLine]] | None:
    """'The order amount ¥X is over the card's single-payment limit ¥Y' when the image shows both."""
    limit_lines = [line for line in seen.lines if _LIMIT.search(line.text)]
    if not limit_lines:
        return None
    limit_amount = None
    for line in limit_lines:
        limit_amount = limit_amount or _amount_in(line.text)
    for kv in seen.key_values:
        if limit_amount is None and _LIMIT.search(kv.key):
            limit_amount = _amount_in(kv.value) or (kv.value if parse_amount(kv.value) is not None else None)
    order_line = next((ln for ln in seen.lines if _AMOUNT_LABEL.search(ln.text) and _amount_in(ln.text)), None)
    order_amount = _amount_in(order_line.text) if order_line else None
    if order_line is None:
        for kv in seen.key_values:
            if _AMOUNT_LABEL.search(kv.key) and _amount_in(kv.value):
                order_amount = _amount_in(kv.value)
                order_line = OcrLine(f"{kv.key}：{kv.value}", kv.value_box, kv.score)
    evidence = list(limit_lines[:1]) + ([order_line] if order_line else [])
    over = (parse_amount(order_amount or "") or 0.0) > (parse_amount(limit_amount or "") or float("inf"))
    if order_amount and limit_amount and over:
        if lang == "zh":
            text = f"订单金额 {order_amount} 超过了这张卡的单笔支付限额 {limit_amount}。"
        else:
            text = f"The order amount {order_amount} is over this card's single-payment limit of {limit_amount}."
    elif lang == "zh":
        text = (
            "支付失败的原因是超出了这张卡的单笔支付限额"
            + (f"（订单金额 {order_amount}）" if order_amount else "")
            + "。"
        )
    else:
        text = "The payment failed because it is over the card's single-payment limit" + (
            f" (order amount {order_amount})." if order_amount else "."
        )
    if lang == "zh":
        text += "建议换一张限额更高的卡（或信用卡），或分多次支付；也可以联系发卡银行提高限额。"
    else:
        text += " Try a card with a higher limit, split the payment, or ask your bank to raise the limit."
    return text, evidence


def _amount_in(text: str) -> str | None:
    """The first money amount in `text` (any currency the fact finder knows: ¥ $ € £ RM 元 …)."""
    match = PATTERNS["money"].search(text)
    return match.group(0).strip() if match else None


def answer_troubleshoot(seen: Perception | None, passages: tuple[Passage, ...], lang: str) -> Reply:
    parts: list[str] = []
    evidence: list[Evidence] = []
    limit = _limit_observation(seen, lang) if seen else None
    if limit is not None:
        parts.append(limit[0])
        evidence.extend(ev(line) for line in limit[1])
    elif seen is not None:
        shown = [seen.lines[i] for i in salient_lines(seen)]
        if shown:
            parts.append(say("shows", lang) + ("；" if lang == "zh" else "; ").join(f"“{ln.text}”" for ln in shown))
            evidence.extend(ev(line) for line in shown)
    codes = _seen_codes(seen)
    used = _advice(passages, codes)
    own_row = bool(used) and used[0].kind == "error_code" and _names_code(used[0], codes)
    if codes and not any(_names_code(p, codes) for p in passages if p.kind == "error_code"):
        # the code on screen is not in the table: say so, and quote no other code's row
        parts.insert(0, phrase("missing_code", lang, code=codes[0]))
        used = [p for p in used if p.kind != "error_code"]
    # The observation (a card limit) or the seen code's own error-code row already gives the advice.
    for passage in used[:1] if (limit is not None or own_row) else used:
        parts.append(say("kb", lang) + _summary(passage, lang))
    if not used and limit is None:
        parts.append(say("suggest", lang))
    return Reply(text=_join(parts, lang), evidence=evidence, passages=used, confident=bool(used or limit))


def _join(parts: list[str], lang: str) -> str:
    """Sentences joined with a full stop where the previous part has none."""
    out = ""
    for part in parts:
        if out and out[-1] not in "。！？.!?":  # a closing quote does not end the sentence
            out += "。" if lang == "zh" else "."
        out += part if lang == "zh" or not out else " " + part
    return out


def _names_code(passage: Passage, codes: list[str]) -> bool:
    return any(normalise(code) == normalise(str(passage.meta.get("code", ""))) for code in codes)


def answer_crash(seen: Perception, passages: tuple[Passage, ...], lang: str) -> Reply | None:
    facts = seen.extras.get("facts", {})
    exceptions = facts.get("exception", [])
    if not exceptions:
        return None
    exc = exceptions[0]
    exc_line = seen.lines[int(exc["line"])]
    frames = facts.get("stack_frame", [])
    own = [f for f in frames if not _LIBRARY_FRAME.search(str(f["text"]))] or frames
    python = any(str(f["text"]).lstrip().startswith("File ") for f in own)
    app_frame = (own[-1] if python else own[0]) if own else None  # Python prints the failing frame last
    versions = facts.get("version", [])
    evidence = [ev(exc_line)]
    name = str(exc["text"])
    short = name.rsplit(".", 1)[-1]
    location = ""
    if app_frame is not None:
        frame_line = seen.lines[int(app_frame["line"])]
        location = str(app_frame["text"]).strip().removeprefix("at ").strip()
        evidence.append(ev(frame_line))
    version = str(versions[0]["text"]) if versions else ""
    if versions:
        evidence.append(ev(seen.lines[int(versions[0]["line"])]))
    known = [p for p in passages if normalise(short) in normalise(p.text + p.title)][:1]
    if lang == "zh":
        text = f"崩溃原因是 {name}"
        text += f"，发生在 {location}" if location else ""
        text += f"（应用版本 {version}）。" if version else "。"
        text += (
            f"这是已知问题：{_summary(known[0], lang)}" if known else "请把完整日志和手机型号发给人工客服，以便排查。"
        )
    else:
        text = f"The crash is a {name}"
        text += f" in {location}" if location else ""
        text += f" (app version {version})." if version else "."
        text += (
            f" This is a known issue: {_summary(known[0], lang)}"
            if known
            else (" Please send the full log and your phone model to a human agent so we can investigate.")
        )
    return Reply(text=text, evidence=evidence, passages=known, value=name)


_CRASHY = re.compile(r"类|包名|文件|错误|异常|版本|崩溃|闪退|class|package|file|error|exception|version|crash", re.I)


def _has_exception(request: EngineRequest) -> bool:
    seen = request.grounding.seen
    return seen is not None and bool(seen.extras.get("facts", {}).get("exception"))


def _crash_applies(spec: QuerySpec, request: EngineRequest) -> bool:
    """A stack trace on screen and a question about it (why it crashed, which class / file / version)."""
    if spec.operation is Operation.VERIFY or not _has_exception(request):
        return False
    return spec.operation in (Operation.EXPLAIN, Operation.DESCRIBE) or bool(_CRASHY.search(spec.question))


def _crash(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    seen = request.grounding.seen
    return answer_crash(seen, request.grounding.passages, spec.language) if seen is not None else None


def _troubleshoot_applies(spec: QuerySpec, request: EngineRequest) -> bool:
    """Why / what to do: an error, a failed payment, a status the customer wants explained."""
    return spec.operation is Operation.EXPLAIN and spec.confidence >= 0.5


def _troubleshoot(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    seen = request.grounding.seen
    if seen is not None and not seen.lines and not request.grounding.passages:
        return None
    return answer_troubleshoot(seen, request.grounding.passages, spec.language)


register("crash", _crash_applies, _crash, priority=10)
register("troubleshoot", _troubleshoot_applies, _troubleshoot, priority=20)
