"""Question understanding (zh / en / mixed): what kind of answer, about which field.

Why cue lists: the embedded engine has no language model; support questions are short and
formulaic ("运单号是多少", "Is there a … ?", "为什么还没发货"), so a few ordered cue patterns
classify them reliably and explainably. Ambiguous questions fall through to the next handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from visdesk.engines.embedded.labels import fields_in
from visdesk.engines.embedded.lexicon import cues as cue_lists

_QUOTED = re.compile(r"[\"“”「『'‘]([^\"“”」』'’]{1,60})[\"“”」』'’]")
_YESNO = re.compile(
    r"是否|有没有|有无|是不是|能否看到|只回答是或否|回答是或否|是/否|是或否|正常吗|有货吗|"
    r"^(?:is|are|does|do|did|was|were|has|have|can)\b(?!.*\b(?:what|which|how many|how much)\b)|"
    r"\byes or no\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(r"because|due to|因为|由于", re.IGNORECASE)
_EXPLICIT_YESNO = re.compile(r"是或否|是/否|是还是否|yes or no|yes/no", re.IGNORECASE)
_ASKS_VALUE = re.compile(r"是什么|是多少|多少|哪个|what is|what's|which", re.IGNORECASE)
_TROUBLE = re.compile(
    r"为什么|为啥|怎么办|怎么回事|怎么处理|如何解决|怎样|无法|(?<!能)不能|不了|失败|报错|出错|还没|还不|没收到|没到|"
    r"能用吗|能不能用|可以用吗|\bwhy\b|how (?:do|can|to|should)|can'?t|cannot|unable|not working|doesn'?t|didn'?t|"
    r"won'?t|failed|fails|fix|help|works\?|work\?",
    re.IGNORECASE,
)
_DESCRIBE = re.compile(
    r"图里是什么|图中是什么|图片.*(什么|内容)|这是什么|写了什么|说了什么|显示了什么|什么意思|总结|概括|"
    r"what does (?:it|this|the \w+) say|what is (?:this|in the|shown)|"
    r"what(?:'s| is) the (?:error|problem|issue|message)|"
    r"什么错误|什么问题|describe|summari[sz]e|what do you see|read (?:it|this)",
    re.IGNORECASE,
)
_EXPLAIN = re.compile(r"什么意思|啥意思|含义|\bmean(?:s|ing)?\b", re.IGNORECASE)
_CRASH = re.compile(r"崩溃|闪退|crash|exception|stack|异常|日志|log\b", re.IGNORECASE)
_MAX = re.compile(
    r"最晚|最新|最贵|最高|最多|最大|最长|latest|most recent|most expensive|highest|most|largest|biggest|maximum|max\b|"
    r"longest|top|(?:ships?|shipped|arrives?|delivered|comes?)\s+last\b",
    re.IGNORECASE,
)
_MIN = re.compile(
    r"最早|最便宜|最低|最少|最小|最短|earliest|cheapest|lowest|least|smallest|minimum|min\b|fewest|shortest",
    re.IGNORECASE,
)
_CHART = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|chart|graph|plot|图表|柱状图|折线图", re.IGNORECASE)
_HOW_MANY = re.compile(r"多少|几|how many|how much|what is the|what's the|value|数值", re.IGNORECASE)
_STRIP = re.compile(
    r"请问|请|帮我|帮忙|麻烦|一下|图中|图片中|图上|图里|截图中|这张|这个|那个|上面|里面|显示的|的|是多少|是什么|多少|什么|"
    r"查一下|查询|查看|查|告诉我|吗|呢|？|\?|。|！|!|，|,|"
    r"\b(?:what|which|is|are|was|were|the|a|an|of|on|in|this|that|these|image|picture|photo|screenshot|page|"
    r"please|tell|me|show|shown|find|give|value|written|printed|here|there|do|does|you|see|for|my|it|its)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Intent:
    kind: str  # field | yesno | table | chart | troubleshoot | crash | describe
    target: str = ""  # the thing asked about, as the customer named it
    fields: tuple[str, ...] = ()  # canonical field names mentioned (labels.SYNONYMS keys)
    quoted: str = ""  # a label quoted in the question ("DATE OF REPORT")
    extreme: str = ""  # "max" | "min" for superlatives
    cues: dict[str, bool] = field(default_factory=dict)


def target_phrase(question: str) -> str:
    """The question without its question words: '发票代码是多少？' → '发票代码'."""
    quoted = _QUOTED.search(question)
    if quoted:
        return quoted.group(1).strip()
    stripped = _STRIP.sub(" ", question)
    return " ".join(stripped.split())


@cache
def _polite_frames() -> re.Pattern[str]:
    """The polite frames of both languages (data/cues), longest first."""
    phrases = sorted({p for lang in ("zh", "en") for p in cue_lists(lang).politeness}, key=len, reverse=True)
    return re.compile(r"(?i)(?<![A-Za-z'])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![A-Za-z'])")


def without_politeness(question: str) -> str:
    """The question without its polite frames: "能不能告诉我…" / "Can you tell me…" carry no trouble or yes/no cue."""
    plain = " ".join(_polite_frames().sub(" ", question).split())
    return plain if plain.strip(" ?？。.!！,，") else question


def classify(question: str) -> Intent:
    """The ordered cue rules; the composer still falls back when the chosen handler finds nothing."""
    plain = without_politeness(question)  # the trouble and yes/no cues read the question without its polite frame
    quoted_match = _QUOTED.search(question)
    quoted = quoted_match.group(1).strip() if quoted_match else ""
    target = target_phrase(plain) or target_phrase(question)
    fields = tuple(fields_in(quoted or question))
    extreme = "max" if _MAX.search(question) else "min" if _MIN.search(question) else ""
    cues = {
        "yesno": bool(_YESNO.search(plain.strip())),
        "trouble": bool(_TROUBLE.search(plain)),
        "describe": bool(_DESCRIBE.search(question)),
        "crash": bool(_CRASH.search(question)),
        "how_many": bool(_HOW_MANY.search(question)),
        "chart": bool(_CHART.search(question)),
        "explain": bool(_EXPLAIN.search(question)),
    }
    explicit_yesno = bool(_EXPLICIT_YESNO.search(question))
    asks_value = bool(fields) and bool(_ASKS_VALUE.search(question))
    if quoted:
        kind = "field"
    elif explicit_yesno or (cues["yesno"] and (not cues["trouble"] or _CAUSE.search(question))):
        kind = "yesno"
    elif cues["crash"]:
        kind = "crash"
    elif (cues["trouble"] and not asks_value) or cues["explain"]:
        kind = "troubleshoot"  # "what does the error mean" is answered like a problem: what it says + the KB
    elif extreme:
        kind = "table"
    elif cues["describe"] and not fields:
        kind = "describe"
    else:
        kind = "field"
    return Intent(kind=kind, target=target, fields=fields, quoted=quoted, extreme=extreme, cues=cues)
