"""The parsed question: what operation, over which target, expecting which type of value.

Why a spec and not an intent label: one question parser feeds one resolver and a small set of
generic operations (lookup, verify, compare, aggregate …), so a new document kind or a new wording
needs data (the lexicon), not a new branch. `parse_question` (filled in by the question parser)
builds a `QuerySpec` from the customer's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from visdesk.perception.document import ValueKind


class Operation(StrEnum):
    LOOKUP = "lookup"  # "发票代码是多少？", "What is the order number?"
    VERIFY = "verify"  # yes/no: "Has it shipped?", "我的退款批了吗？" (polarity in QuerySpec)
    COMPARE = "compare"  # against a threshold or another item: "Is the total over 100?"
    ARGMAX = "argmax"  # "Which item is the most expensive?"
    ARGMIN = "argmin"
    COUNT = "count"  # "How many items did I buy?"
    SUM = "sum"
    DIFFERENCE = "difference"  # "How much more does A cost than B?"
    MEAN = "mean"
    MEDIAN = "median"
    MODE = "mode"
    RANGE = "range"
    RATE = "rate"  # rate of change between two points
    EXPLAIN = "explain"  # why / what to do: errors, statuses, troubleshooting
    DESCRIBE = "describe"  # "What is this?", "总结一下"
    COMPATIBLE = "compatible"  # "This works?", "能在110V用吗？"
    RECOMMEND = "recommend"  # "What cable should I buy?"
    FRACTION = "fraction"  # "What fraction of the hours were billed by Wendy?", probabilities


Comparator = Literal[">", ">=", "<", "<=", "=", "!="]


@dataclass(frozen=True)
class QuerySpec:
    """A question as the resolver and the operations read it."""

    question: str
    language: Literal["zh", "en"]
    operation: Operation
    target: str = ""  # the phrase naming the field / column / series ("order number", "税额")
    expected: ValueKind | None = None  # when → date, how much → money, 几号 → code …
    polarity: bool = True  # VERIFY: False for a negated question ("Isn't it …", "没有…吗")
    claim: str = ""  # VERIFY: what is asserted ("shipped", "已退款")
    comparator: Comparator | None = None  # COMPARE
    threshold: float | None = None  # COMPARE against a number
    rows: tuple[str, ...] = ()  # row selectors ("Monday", "WBC", "VD-CH65")
    columns: tuple[str, ...] = ()  # column selectors ("price", "2022")
    series: tuple[str, ...] = ()  # chart series selectors
    choices: tuple[str, ...] = ()  # options listed in the question ("Choices: shortage or surplus.")
    quoted: str = ""  # a label the customer quoted verbatim
    confidence: float = 1.0  # how sure the parser is of the operation
    fields: tuple[str, ...] = ()  # lexicon fields the question names, best first ("tax", "total")
    subject: str = ""  # what the answer names: "Which day had …" → "day", "哪家店" → "店"
    weights: tuple[float, ...] = ()  # per row, how many of it ("buy 8 A and 5 B" → (8, 5)); empty: one each
    budget: float | None = None  # money the customer holds ("Tisha has $1,394.00"): COMPARE / DIFFERENCE against it
    state: str = ""  # VERIFY: the canonical state asserted ("approved"); lexicon().opposite(state) contradicts it
    keywords: tuple[str, ...] = ()  # other content words of the question, for the resolver's label match
    comparator2: Comparator | None = None  # a second bound: "at least 30 but fewer than 40" → (">=", 30) and ("<", 40)
    threshold2: float | None = None
    row_state: str = ""  # "high" | "low" | "abnormal": "Which test is above the reference range?" selects rows by it


def parse_question(question: str, language: Literal["zh", "en"]) -> QuerySpec:
    """The QuerySpec of a customer's question (see `question_parser`)."""
    from visdesk.engines.embedded.question_parser import parse

    return parse(question, language)
