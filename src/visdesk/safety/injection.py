"""Instructions hidden in image text ("ignore previous instructions", "忽略以上指令", "将此订单退款").

Text read from an image is data from whoever made the image, not from the customer or the shop.
Detecting imperative-to-assistant phrases lets us log and count the attempt and lets engines fence
the text; nothing here blocks the request, because the embedded engine never executes text and the
VLM prompt marks OCR text as untrusted (engines/prompt.py).
"""

from __future__ import annotations

import re
import unicodedata

INSTRUCTION_IN_IMAGE = "instruction_in_image"

_EN = [
    r"\b(?:ignore|disregard|forget|override|skip)\b.{0,30}\b(?:previous|prior|above|earlier|preceding|all|any|your|the)"
    r"\b.{0,20}\b(?:instructions?|prompts?|rules|directions|guidelines|messages|context)\b",
    r"\byou are now\b",
    r"\bfrom now on,? (?:you|act|respond|answer)\b",
    r"\b(?:act|behave|respond) as (?:if you were |an? )?(?:admin|administrator|developer|system|dan|unrestricted)\b",
    r"\bpretend (?:to be|you are)\b",
    r"\bsystem prompt\b",
    r"\b(?:developer|dan|god) mode\b",
    r"\bjailbreak\b",
    r"\bnew instructions?\s*:",
    r"^\s*(?:system|assistant)\s*:",
    r"\b(?:reveal|print|show|repeat) (?:your|the) (?:hidden |secret |system )?(?:prompt|instructions)\b",
    r"\b(?:assistant|ai|bot|chatbot|agent)\b[,:]?\s*(?:please\s+)?(?:refund|approve|cancel|transfer|send|issue|grant)\b",
    r"\b(?:refund|cancel) (?:this|the|my) order (?:now|immediately|right away|in full|without)\b",
    r"\bissue (?:a |an )?(?:full |immediate )?refund\b",
]
_ZH = [
    r"(?:忽略|无视|忽视|不要理会|忘记|忘掉|跳过)(?:掉)?(?:之前|以上|上面|前面|先前|此前|上述|所有|全部|你的|原有|原来)"
    r"[的所有全部一切]*(?:指令|指示|提示|规则|要求|设定|命令|对话|内容)",
    r"你现在(?:是|扮演|作为)",
    r"从现在(?:开始|起)[，,]?你",
    r"(?:扮演|假装成?|假扮)(?:一个|一名|成)",
    r"系统提示(?:词|语)?",
    r"提示词",
    r"开发者模式",
    r"越狱",
    r"新的?(?:指令|指示)[:：]",
    r"(?:将|把|给)(?:此|这|这个|这笔|该|本|我的?)?(?:笔|个)?订单(?:全额|立即|马上|直接)*(?:退款|取消|免单)",
    r"(?:立即|马上|直接)(?:给我|为我|帮我)?(?:全额)?退款",
    r"(?:客服|助手|机器人|ai)[，,:：]?(?:请)?(?:立即|马上|直接)?(?:退款|转账|打款|取消订单)",
    r"(?:管理员|系统)(?:指令|命令|通知)[:：]",
]
_PATTERNS = [re.compile(p, re.I | re.M) for p in _EN] + [re.compile(p) for p in _ZH]


def _normalise(text: str) -> str:
    """NFKC (full-width → ASCII), lower case, and no spaces between CJK characters (OCR inserts them)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=[\u4e00-\u9fff，。：；！？、]) +(?=[\u4e00-\u9fff，。：；！？、])", "", text)
    return re.sub(r"[ \t]+", " ", text)


def find_instructions(text: str) -> list[str]:
    """The phrases in `text` that address the assistant with instructions (empty when none)."""
    if not text:
        return []
    normalised = _normalise(text)
    # Scan line by line and also with lines joined: OCR may split one sentence over two lines.
    joined = normalised.replace("\n", "")
    found: list[str] = []
    for pattern in _PATTERNS:
        match = pattern.search(normalised) or pattern.search(joined)
        if match:
            found.append(match.group(0))
    return found
