"""Text analysis shared by indexing and querying: tokens, stopwords, synonyms, codes.

Why jieba + unicode61 rather than FTS5's trigram tokenizer: most Chinese support words are two
characters (发票, 退款, 快递), which a trigram index cannot match at all; see docs/knowledge-base.md
for the measured comparison. One private jieba Tokenizer keeps our dictionary additions (codes,
model numbers, shop words) out of anyone else's use of jieba's global instance.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from typing import Any

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_SEPARATORS = re.compile(r"[._\-/:()$]+")
_CODE = re.compile(
    r"(?<![0-9A-Za-z])(?:0x[0-9A-Fa-f]{4,8}|[A-Za-z]{1,6}[-_ ]?\d{2,6}(?:[-_][0-9A-Za-z]{1,6})?)(?![0-9A-Za-z])"
)
_CODE_LOOSE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,6}\s?[-_]?\s?[0-9OoIl]{2,6}(?![0-9A-Za-z])")
_EXCEPTION = re.compile(r"\b(?:[a-z_][\w$]*\.)*[A-Z]\w*(?:Exception|Error)\b")

# Words that carry no topic; dropping them keeps an OR query from matching every document.
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 我 我们 你 你们 您 他 她 它 是 在 有 没 没有 怎么 怎么办 怎么样 怎样 什么 为什么 如何 哪里
    哪儿 哪 这个 那个 这 那 这是 那是 请 请问 一下 可以 能 能否 还 和 与 及 或 就 都 也 要 会 把 被 给 让 到 从 对 上 下
    中 个 一 想 该 应该 是否 多久 多少 几 时候 现在 已经 图 图中 图片 里 显示 帮 帮忙 谢谢 好 呢 么 啥 咋 着 过 又 再
    a an the is are was were be been am to of in on at for with and or but my i me we our you your it its this that
    these those do does did doing how what why when where which who can could should would will not no yes please there
    any some have has had get got if so as by from about just still yet than then up out why's what's i'm it's don't
    can't won't isn't""".split()  # noqa: SIM905 - a word list reads better than 200 quoted strings
)

# Equivalent phrasings customers use; a question containing one member also searches the others.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("运单号", "快递单号", "物流单号", "快递号", "运单", "tracking number", "tracking", "waybill"),
    ("付不了", "付款失败", "支付失败", "付款不成功", "支付不成功", "payment failed", "can't pay", "cannot pay"),
    ("付款", "支付", "付钱", "买单", "pay", "payment"),
    ("扣款", "扣钱", "扣费", "charge", "charged"),
    ("重复扣款", "扣了两次", "多扣", "重复支付", "charged twice", "duplicate charge", "double charge"),
    ("限额", "额度", "上限", "limit"),
    ("银行卡", "信用卡", "借记卡", "卡", "card", "bank card"),
    ("拒绝", "被拒", "拒付", "不让", "不给", "declined", "rejected"),
    ("发货", "出库", "寄出", "发出", "ship", "shipped", "shipping", "dispatch"),
    ("还没发货", "未发货", "没发货", "不发货", "还没发出", "没发出", "not shipped", "hasn't shipped"),
    ("快递", "物流", "快递公司", "courier", "carrier", "delivery"),
    ("地址", "收货地址", "address"),
    ("取消", "撤销", "cancel", "cancellation"),
    ("退货", "退回", "return", "returns"),
    ("退款", "退钱", "refund", "refunds"),
    ("发票", "开票", "invoice", "receipt"),
    ("发票代码", "查代码", "invoice code"),
    ("账号", "账户", "帐号", "account"),
    ("登录", "登陆", "登不上", "log in", "login", "sign in"),
    ("密码", "password"),
    ("闪退", "崩溃", "崩了", "crash", "crashes", "crashed"),
    ("兼容", "适用", "能用", "配套", "通用", "compatible", "compatibility", "work with", "works with"),
    ("充电", "charge", "charging", "charger"),
    ("说明书", "手册", "manual"),
    ("保修", "质保", "warranty"),
)

_LOAD_LOCK = threading.Lock()


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normalise_code(text: str) -> str:
    """Canonical form for codes and model numbers: upper case, separators dropped, O→0 and I→1.

    Why fold O/0 and I/1 on both sides: OCR confuses them on nameplates and dialogs, and two
    real codes that differ only by those letters are rare enough to accept the ambiguity.
    """
    folded = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return folded.replace("O", "0").replace("I", "1")


def find_codes(text: str, loose: bool = False) -> list[str]:
    """Code-like tokens (E1024, PAY-4001, 0x80070005, VD-PB20) in the order they appear.

    `loose` also accepts OCR-mangled forms ("PAY - 4OO1"); only for lookups, where a wrong
    candidate costs nothing because it is not in the table.
    """
    found = [m.group(0) for m in _CODE.finditer(text)]
    if loose:
        found += [m.group(0) for m in _CODE_LOOSE.finditer(text)]
    return [code for code in dict.fromkeys(found) if any(ch.isdigit() for ch in code)]


def find_exceptions(text: str) -> list[str]:
    """Exception and error class names (java.lang.NullPointerException → both forms)."""
    names: list[str] = []
    for match in _EXCEPTION.finditer(text):
        full = match.group(0)
        names.append(full)
        if "." in full:
            names.append(full.rsplit(".", 1)[1])
    return names


@cache
def _segmenter() -> Any:  # a jieba.Tokenizer (jieba has no type hints)
    """One jieba Tokenizer per process (its dictionary takes about a second and 50 MB to load).

    A private instance rather than jieba's global one, so our dictionary additions (synonym
    phrases kept whole) do not change anybody else's segmentation. `cache` makes the first
    load happen once even when warm-up and the first question race for it.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for group in SYNONYM_GROUPS:
        for word in group:
            if has_cjk(word):
                tokenizer.add_word(word, freq=2000)
    return tokenizer


class Analyzer:
    """Splits text into index tokens and query terms (zh via jieba, en via FTS5's porter stemmer)."""

    @property
    def _jieba(self) -> Any:
        with _LOAD_LOCK:
            return _segmenter()

    def warm_up(self) -> None:
        """Load jieba's dictionary before the first question needs it."""
        self._jieba.lcut("预热")

    def index_tokens(self, text: str) -> str:
        """Space-joined tokens for the unicode61 FTS5 column (fine-grained: cut_for_search)."""
        return " ".join(t for t in self._jieba.cut_for_search(text.lower()) if _WORD.search(t))

    def query_terms(self, text: str) -> list[str]:
        """Content terms of a question: segmented, lower-cased, stopwords and punctuation dropped."""
        terms: list[str] = []
        for token in self._jieba.cut_for_search(text.lower()):
            token = token.strip()
            # "com.visdesk.cart.CartAdapter" or "vd-pb20": search the whole and its parts.
            parts = [token, *_SEPARATORS.split(token)] if _SEPARATORS.search(token) else [token]
            for part in parts:
                if part and _WORD.search(part) and part not in STOPWORDS and part not in terms:
                    terms.append(part)
        return terms

    def synonyms(self, text: str) -> list[str]:
        """Members of every synonym group that the text mentions (substring match, case-insensitive)."""
        lowered = text.lower()
        found: list[str] = []
        for group in SYNONYM_GROUPS:
            if any(_mentions(lowered, word) for word in group):
                found.extend(w for w in group if w not in found)
        return found


def _mentions(lowered: str, word: str) -> bool:
    if has_cjk(word):
        return word in lowered
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered) is not None


def fts_quote(term: str) -> str:
    """A term as an FTS5 string literal (so punctuation and keywords like OR are never syntax)."""
    return '"' + term.replace('"', '""') + '"'
