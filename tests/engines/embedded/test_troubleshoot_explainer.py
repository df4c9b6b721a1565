"""The troubleshooting explainer on hand-built perceptions (no OCR): a code on screen that the
error-code table lacks is named as such, and no other code's row is quoted."""

from __future__ import annotations

from visdesk.domain import OcrLine, Passage, Perception
from visdesk.engines.embedded.explainers.troubleshoot import answer_troubleshoot

ROW = Passage("codes", "Error codes", "E1024", "E1024: the card issuer declined the payment.", 0.9,
              kind="error_code", meta={"code": "E1024", "message_en": "Card declined by the issuer"})  # fmt: skip
ARTICLE = Passage("pay", "Payment failed", "", "If a payment fails, check the card and try again.", 0.5)


def screen(code: str) -> Perception:
    lines = (OcrLine("支付失败", (0, 0, 200, 30), 0.99), OcrLine(f"错误码 {code}", (0, 40, 200, 70), 0.99))
    return Perception("t", (400, 300), lines, extras={"facts": {"error_code": [{"text": code, "line": 1}]}})


def test_an_unknown_code_is_named_and_no_other_codes_row_is_quoted() -> None:
    reply = answer_troubleshoot(screen("E6591"), (ROW, ARTICLE), "en")
    assert reply.text.startswith("The screen shows error code E6591; it is not in our error-code table.")
    assert "E1024" not in reply.text and all(p.kind != "error_code" for p in reply.passages)


def test_a_known_code_quotes_its_own_row() -> None:
    reply = answer_troubleshoot(screen("E1024"), (ROW, ARTICLE), "en")
    assert "not in our error-code table" not in reply.text and "Card declined by the issuer" in reply.text
