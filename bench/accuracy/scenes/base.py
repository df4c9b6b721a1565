"""What a scene returns: the rendered image and the questions it can answer, with accepted answers.

Accepted answers are strings printed in the image (or, for a question asked in the other language
than the document, the printed value plus its plain translation). `wrong` lists strings whose
presence makes a reply wrong: the other candidates of a "which one" question, so a reply that
lists everything cannot pass by containment alone. Yes/no questions are scored by the reply's
first yes/no word instead (containment cannot tell "是" from "不是").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from PIL import Image

YES_NO_SUFFIX = {
    "zh": ("请只回答是或否。", "只回答是或否", "（回答是/否）"),
    "en": (" Answer yes or no.", " Yes or no?", ""),
}


@dataclass
class QA:
    question: str
    answers: list[str]
    subcategory: str
    wrong: list[str] = field(default_factory=list)
    answer_type: str = "text"  # "text": containment; "yesno": the reply's first yes/no word decides


@dataclass
class Scene:
    image: Image.Image
    qas: list[QA]
    kind: str = "screen"  # screen | paper | device: which photo effects make sense


def ask(rng: random.Random, lang: str, variants: dict[str, list[str]], **values: str) -> str:
    """One paraphrase of a question in `lang`, with the placeholders filled."""
    return rng.choice(variants[lang]).format(**values)


def yes_no(rng: random.Random, lang: str, question: str, truth: bool, subcategory: str) -> QA:
    """A yes/no question, scored by the reply's first yes/no word (see score.py)."""
    suffix = rng.choice(YES_NO_SUFFIX[lang])
    answer = {"zh": "是" if truth else "否", "en": "yes" if truth else "no"}[lang]
    return QA(question + suffix, [answer], subcategory, answer_type="yesno")
