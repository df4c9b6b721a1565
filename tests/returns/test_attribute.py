"""Attribution on hand-built perceptions (no OCR): cues, weights, margins, the wrong-item rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from visdesk.domain import OcrLine, Perception
from visdesk.knowledge import DEMO_DIR
from visdesk.returns import attribute, load_taxonomy
from visdesk.returns.taxonomy import HUMAN_REVIEW

TAXONOMY = load_taxonomy(DEMO_DIR / "returns" / "taxonomy.toml")


def seen(*texts: str) -> Perception:
    lines = tuple(OcrLine(text, (10.0, 10.0 + 40 * i, 300.0, 40.0 + 40 * i), 0.99) for i, text in enumerate(texts))
    return Perception(content_id="x", size=(400, 400), lines=lines)


@pytest.mark.parametrize(
    ("text", "lines", "reason", "action"),
    [
        ("doesn't work", ("Installing update 45%", "Do not turn off your phone"), "user_operation", "self_help"),
        ("不能用了", ("未插入SIM卡",), "no_signal", "self_help"),
        ("用了两天就没电了", ("电池健康 61%",), "battery_fault", "exchange"),
        ("arrived cracked", ("FRAGILE", "Handle with care"), "damaged_in_transit", "carrier_claim"),
        ("no cable in the box", ("Package includes: charger x1, cable x1",), "missing_part", "resend_part"),
        ("I ordered a VD-CH65", ("Model: VD-PB20", "20000mAh"), "wrong_item", "send_correct_item"),
    ],
)
def test_each_reason_is_decided_with_its_evidence(text: str, lines: tuple[str, ...], reason: str, action: str) -> None:
    result = attribute(TAXONOMY, text, seen(*lines))
    assert result.reason is not None and result.reason.id == reason, result.scores
    assert result.action == action
    assert result.confidence >= TAXONOMY.min_confidence
    image_clues = [c for c in result.clues if c.reason == reason and c.source == "image"]
    assert image_clues and image_clues[0].evidence.box is not None  # the deciding line is boxed on the photo


def test_the_photo_outweighs_generic_words() -> None:
    # "broken" is a transit-damage word, but the screen shows no SIM card: the screen decides.
    result = attribute(TAXONOMY, "it's broken", seen("No SIM card", "Emergency calls only"))
    assert result.reason is not None and result.reason.id == "no_signal"


def test_no_evidence_goes_to_human_review() -> None:
    result = attribute(TAXONOMY, "doesn't work", seen("Hello", "Welcome"))
    assert result.reason is None and result.action == HUMAN_REVIEW and result.confidence == 0.0


def test_a_tie_goes_to_human_review_not_a_guess() -> None:
    result = attribute(TAXONOMY, "battery dead and no signal", None)  # one word cue each, no photo
    assert result.reason is None and result.action == HUMAN_REVIEW
    assert set(result.scores) == {"battery_fault", "no_signal"}


def test_a_named_model_that_the_photo_shows_is_not_a_wrong_item() -> None:
    result = attribute(TAXONOMY, "my VD-PB20 is cracked", seen("Model: VD-PB20"))
    assert result.reason is not None and result.reason.id == "damaged_in_transit"


def test_a_repeated_screen_word_counts_twice_at_most() -> None:
    result = attribute(TAXONOMY, "help", seen(*["正在更新"] * 6))
    assert result.scores["user_operation"] == 2 * TAXONOMY.image_weight


def test_a_broken_taxonomy_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text('[actions.exchange]\nen = "x"\n[[reason]]\nid = "a"\naction = "exchange"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="human_review"):
        load_taxonomy(path)
    path.write_text('[actions.human_review]\nen = "x"\n[[reason]]\nid = "a"\naction = "refund"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="action among"):
        load_taxonomy(path)
