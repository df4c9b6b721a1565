"""GLM-4.xV replies → clean answer text, separate reasoning, and boxes as evidence.

Why one parser for both VLM engines: GLM-4.1V/4.5V/4.6V mark grounding and final answers with
`<|begin_of_box|>…<|end_of_box|>`, give boxes as `[x1, y1, x2, y2]` on a 0–1000 frame of the
image, think inside `<think>…</think>` (GLM-4.1V also wraps the answer in `<answer>…</answer>`)
and sometimes restate the answer at the end (zai-org/GLM-V README, "Remaining issues"). The
customer must see none of that markup, yet the boxes are the model's own grounding and belong
on the page. The parser is incremental: it holds back only what may be the start of a marker
(or trailing spaces) and a box until it closes, so the answer still streams word by word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from visdesk.domain import Box, Evidence, ImageInput, Perception

BOX_BEGIN, BOX_END = "<|begin_of_box|>", "<|end_of_box|>"
THINK_BEGIN, THINK_END = "<think>", "</think>"
ANSWER_BEGIN, ANSWER_END = "<answer>", "</answer>"
MARKERS = (BOX_BEGIN, BOX_END, THINK_BEGIN, THINK_END, ANSWER_BEGIN, ANSWER_END)
BARE_BEGIN, BARE_END = "[[", "]]"  # a box list without box markers: "… here [[120, 40, 380, 90]]"
MAX_BARE_CHARS = 160  # a "[[" not closed by then is ordinary text
GLM_FRAME = 1000.0  # GLM normalises box coordinates by width/height and scales them by 1000

_NUM = r"\s*(-?\d+(?:\.\d+)?)\s*"
# One quadruple in any bracket style GLM uses: [..], (..), <..>, {..} (and inside [[..]] lists).
_QUAD = re.compile(r"[\[(<{]" + ",".join([_NUM] * 4) + r"[\])>}]")
_LEFTOVER = re.compile(r"^[\s\[\]()<>{},;:.]*$")
_CLAUSE_END = re.compile(r"[.!?;:。！？；：\n]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = frozenset(".!?。！？…)）\"'”")
_CLOSING = frozenset(".,;:!?)]}。，；：！？）、")
MAX_LABEL_CHARS = 60


@dataclass(frozen=True)
class Piece:
    """What one fed chunk released: answer text for the customer, and reasoning kept aside."""

    text: str = ""
    reasoning: str = ""


@dataclass(frozen=True)
class ModelBox:
    """A box the model drew, on GLM's 0–1000 frame, with the words that referred to it."""

    box: Box
    label: str


@dataclass
class GlmOutputParser:
    """Incremental parser: feed() raw chunks, then finish(); `boxes` holds every box seen."""

    in_think: bool = False  # True when the prompt itself opened the think block
    boxes: list[ModelBox] = field(default_factory=list)
    _pending: str = ""
    _box: str = ""
    _box_depth: int = 0
    _shown: str = ""  # answer text released so far (restatement check, box labels)
    _space: str = ""  # whitespace held back until more answer text follows
    _label_from: int = 0  # where the words naming the next box start (after the previous box)
    _box_removed: bool = False  # a coordinates-only box was just cut out of the text
    _bare: str | None = None  # text after a "[[" outside any box, until "]]" shows whether it is a box list

    def feed(self, chunk: str) -> Piece:
        self._pending += chunk
        return self._drain(final=False)

    def feed_reasoning(self, chunk: str) -> Piece:
        """Reasoning a server already separated (vLLM's `reasoning` / `reasoning_content` deltas)."""
        return Piece(reasoning=chunk)

    def finish(self) -> Piece:
        """Release what was held back: a partial marker was plain text; an open box closes here."""
        piece = self._drain(final=True)
        text, reasoning = piece.text, piece.reasoning
        if self._box_depth:
            self._box_depth = 0
            text += self._close_box()
        if self._bare is not None:
            text += self._release_bare(BARE_BEGIN + self._bare)
        self._space = ""  # trailing whitespace never reaches the customer
        return Piece(text=text, reasoning=reasoning)

    @property
    def answer(self) -> str:
        return self._shown

    def _drain(self, *, final: bool) -> Piece:
        text: list[str] = []
        reasoning: list[str] = []
        while self._pending:
            markers = self._markers()
            index, marker = _first_marker(self._pending, markers)
            if marker is None:
                keep = 0 if final else _partial_marker_len(self._pending, markers)
                cut = len(self._pending) - keep
                body, self._pending = self._pending[:cut], self._pending[cut:]
                self._route(body, text, reasoning)
                break
            self._route(self._pending[:index], text, reasoning)
            self._pending = self._pending[index + len(marker) :]
            text.append(self._on_marker(marker))
        return Piece(text="".join(text), reasoning="".join(reasoning))

    def _markers(self) -> tuple[str, ...]:
        if self._bare is not None:
            return (BARE_END,)
        return MARKERS if self.in_think or self._box_depth else (*MARKERS, BARE_BEGIN)

    def _route(self, body: str, text: list[str], reasoning: list[str]) -> None:
        if not body:
            return
        if self.in_think:
            reasoning.append(body)
        elif self._box_depth:
            self._box += body
        elif self._bare is not None:
            self._bare += body
            if len(self._bare) > MAX_BARE_CHARS:
                text.append(self._release_bare(BARE_BEGIN + self._bare))
        else:
            text.append(self._show(body))

    def _release_bare(self, raw: str) -> str:
        self._bare = None
        return self._show(raw)

    def _on_marker(self, marker: str) -> str:
        """State changes; returns answer text released by the marker (a closed box's text)."""
        if marker == BARE_BEGIN:
            self._bare = ""
            return ""
        if marker == BARE_END:
            content = "[" + (self._bare or "") + "]"
            self._bare = None
            if _QUAD.search(content) and _LEFTOVER.match(_QUAD.sub(" ", content)):
                self._box, self._box_depth = content, 0
                return self._close_box()
            return self._show("[" + content + "]")
        if marker == THINK_BEGIN:
            self.in_think = True
        elif marker == THINK_END:
            self.in_think = False
        elif self.in_think:
            return ""
        elif marker == BOX_BEGIN:
            self._box_depth += 1
        elif marker == BOX_END and self._box_depth:
            self._box_depth -= 1
            if not self._box_depth:
                return self._close_box()
        return ""  # <answer>, </answer> and a stray end-of-box are dropped

    def _show(self, body: str) -> str:
        """Answer text out, with leading and trailing whitespace held back."""
        if not self._shown:
            body = (self._space + body).lstrip()
            self._space = ""
            if not body:
                return ""
        stripped = body.rstrip()
        if not stripped:
            self._space = self._space or body
            return ""
        if body[0].isspace() or (self._box_removed and body[0] in _CLOSING):
            self._space = ""  # the body brings its own space; none before punctuation where a box was cut out
        self._box_removed = False
        out = self._space + stripped
        self._space = body[len(stripped) :]
        self._shown += out
        return out

    def _close_box(self) -> str:
        content, self._box = self._box, ""
        quads = [_quad(m) for m in _QUAD.finditer(content)]
        rest = _QUAD.sub(" ", content)
        if quads:
            label = _label(self._shown[self._label_from :])
            self._label_from = len(self._shown)
            self.boxes.extend(ModelBox(q, label) for q in quads)
            if _LEFTOVER.match(rest):
                self._box_removed = True
                return ""
        rest = " ".join(rest.split()) if quads else content.strip()
        if not rest or _restates(rest, self._shown):
            return ""  # a boxed restatement of what the customer has already read
        return self._show(rest)


def _first_marker(text: str, markers: tuple[str, ...] = MARKERS) -> tuple[int, str | None]:
    best, found = len(text), None
    for marker in markers:
        at = text.find(marker)
        if 0 <= at < best:
            best, found = at, marker
    return best, found


def _partial_marker_len(text: str, markers: tuple[str, ...] = MARKERS) -> int:
    """Length of the longest suffix of `text` that could still grow into one of `markers`."""
    longest = max(len(m) for m in markers)
    for size in range(min(longest - 1, len(text)), 0, -1):
        tail = text[-size:]
        if any(m.startswith(tail) for m in markers):
            return size
    return 0


def _normal(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .。!！")


def _restates(boxed: str, shown: str) -> bool:
    """True when the box repeats an answer already complete: the text before it ended a sentence
    and already says the boxed words ("… is 12.50 USD.  [12.50 USD]"). A box that completes the
    sentence ("the answer is [A]") is the answer itself."""
    needle, said = _normal(boxed), shown.rstrip()
    if not needle or not said or said[-1] not in _SENTENCE_END:
        return False
    haystack = _normal(said)
    if _CJK.search(needle):
        return needle in haystack  # CJK has no word boundaries
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


def _label(shown: str) -> str:
    """The clause just before a box: what the model was pointing at ("the total is here")."""
    tail = shown.rstrip()
    cut = max((m.end() for m in _CLAUSE_END.finditer(tail[:-1] if tail else tail)), default=0)
    return tail[cut:].strip()[-MAX_LABEL_CHARS:]


def parse_reply(text: str, *, in_think: bool = False) -> tuple[str, str, list[ModelBox]]:
    """A whole reply at once (beam search answers arrive in one piece): text, reasoning, boxes."""
    parser = GlmOutputParser(in_think=in_think)
    first, last = parser.feed(text), parser.finish()
    return first.text + last.text, first.reasoning + last.reasoning, parser.boxes


def _quad(match: re.Match[str]) -> Box:
    """The four numbers of a `_QUAD` match (it has exactly four groups)."""
    x0, y0, x1, y1 = (float(v) for v in match.groups())
    return (x0, y0, x1, y1)


def box_to_pixels(box: Box, size: tuple[int, int]) -> Box:
    """A 0–1000 box → pixels of an image of `size` (corners ordered, clamped to the frame)."""
    x0, y0, x1, y1 = (min(max(v, 0.0), GLM_FRAME) / GLM_FRAME for v in box)
    w, h = size
    return (min(x0, x1) * w, min(y0, y1) * h, max(x0, x1) * w, max(y0, y1) * h)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box: 1.0 when one holds the other (a line inside a drawn box)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def box_evidence(
    boxes: list[ModelBox], image: ImageInput | None, seen: Perception | None, *, min_overlap: float = 0.5
) -> list[Evidence]:
    """The model's boxes in the customer's pixels, each named by the OCR line it covers (if any)."""
    if image is None:
        return []
    evidence = []
    for item in boxes:
        box = box_to_pixels(item.box, image.original_size)
        text = item.label
        if seen is not None:
            scored = [(_overlap(box, line.box), line.text) for line in seen.lines]
            score, line_text = max(scored, default=(0.0, ""))
            if score >= min_overlap:
                text = line_text
        evidence.append(Evidence(text=text, box=box))
    return evidence


def quoted_lines(answer: str, seen: Perception | None) -> list[Evidence]:
    """OCR lines the answer quotes verbatim (they point at the image even without model boxes)."""
    if seen is None or not answer:
        return []
    return [Evidence(line.text, line.box) for line in seen.lines if len(line.text) >= 2 and line.text in answer]


def answer_evidence(parser: GlmOutputParser, image: ImageInput | None, seen: Perception | None) -> tuple[Evidence, ...]:
    """Model boxes first, then quoted OCR lines not already named by a box."""
    boxes = box_evidence(parser.boxes, image, seen)
    named = {e.text for e in boxes}
    return tuple(boxes + [e for e in quoted_lines(parser.answer, seen) if e.text not in named])


BOX_ONLY = {"en": "It is marked on the image.", "zh": "已在图中标出。"}


def box_only_answer(evidence: tuple[Evidence, ...], language: str) -> str:
    """Words for a reply that was nothing but a box (a pure grounding answer): the OCR lines it covers,
    else a short pointer to the drawn box, so the customer never gets an empty answer."""
    named = [e.text for e in evidence if e.box is not None and e.text]
    return "; ".join(dict.fromkeys(named)) if named else BOX_ONLY.get(language, BOX_ONLY["en"])
