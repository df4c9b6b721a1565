"""Build a tiny, randomly initialised GLM-4V (model + tokenizer + processor configs) on disk.

Why: the transformers engine must be tested through its real loading code (`from_pretrained`
on a directory), offline, in seconds. The architecture is GLM-4.6V's (Glm4vForConditionalGeneration,
model_type glm4v) with every size shrunk; the tokenizer is a small BPE trained here with GLM's
special tokens (the box markers `<|begin_of_box|>`/`<|end_of_box|>` and `<think>`/`</think>` among them,
as added special tokens, so a decoder that skipped special tokens would lose them) and a GLM-style chat
template (with the `enable_thinking` switch).
"""

from __future__ import annotations

import json
from pathlib import Path

GLM_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "[MASK]",
    "[gMASK]",
    "[sMASK]",
    "<sop>",
    "<eop>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|observation|>",
    "<|begin_of_image|>",
    "<|end_of_image|>",
    "<|begin_of_video|>",
    "<|end_of_video|>",
    "<|image|>",
    "<|video|>",
    "<think>",
    "</think>",
    "<|begin_of_box|>",
    "<|end_of_box|>",
)

# A GLM-4.xV style template: [gMASK]<sop>, role tags, an image slot per image item, and the
# non-thinking switch (`enable_thinking=False` appends an empty think block to the generation prompt).
GLM_CHAT_TEMPLATE = (
    "[gMASK]<sop>"
    "{%- for msg in messages %}"
    "{%- if msg.role == 'system' %}<|system|>\n"
    "{%- else %}{{ '<|' + msg.role + '|>' }}\n{%- endif %}"
    "{%- if msg.content is string %}{{ msg.content }}"
    "{%- else %}{%- for item in msg.content %}"
    "{%- if item.type == 'image' or 'image' in item %}<|begin_of_image|><|image|><|end_of_image|>"
    "{%- elif item.type == 'video' or 'video' in item %}<|begin_of_video|><|video|><|end_of_video|>"
    "{%- elif item.type == 'text' %}{{ item.text }}{%- endif %}"
    "{%- endfor %}{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}<|assistant|>\n"
    "{%- if enable_thinking is defined and not enable_thinking %}<think></think>\n{%- endif %}"
    "{%- endif %}"
)

_CORPUS = (
    "Your order has shipped and will arrive in three days. The refund was approved. "
    "Please restart the router and check the error code on the screen. The battery is low. "
    "您的订单已发货，预计三天内送达。退款已经批准。请重启路由器并查看屏幕上的错误代码。电池电量低。"
    "Reference material untrusted data question answer invoice total amount date model number warranty. "
    "The total is printed here [[120, 40, 380, 90]] (0 1 2 3 4 5 6 7 8 9)."  # GLM boxes: digits and brackets
)


def build_tokenizer(out_dir: Path):  # type: ignore[no-untyped-def]
    """Train a small BPE on a support-flavoured corpus and wrap it as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    # Metaspace (sentencepiece-style "▁word") pieces decode to clean words with spaces, so even a random
    # model's output streams word by word; characters outside the corpus become <unk>.
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<unk>", *GLM_SPECIAL_TOKENS], show_progress=False)
    tok.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|endoftext|>",
        unk_token="<unk>",
        pad_token="<|endoftext|>",
        padding_side="left",
        chat_template=GLM_CHAT_TEMPLATE,
    )
    fast.save_pretrained(out_dir)
    return fast


def build_tiny_glm(out_dir: Path, *, seed: int = 0) -> Path:
    """Write a tiny Glm4vForConditionalGeneration + tokenizer + processor configs to `out_dir`."""
    import torch
    from transformers import Glm4vConfig, Glm4vForConditionalGeneration

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(out_dir)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in GLM_SPECIAL_TOKENS}
    text_config = {
        "vocab_size": len(tokenizer),
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "rope_parameters": {
            "rope_type": "default",
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.5,
            "mrope_section": [1, 1, 2],
        },
        "pad_token_id": ids["<|endoftext|>"],
        "eos_token_id": [ids["<|endoftext|>"], ids["<|user|>"], ids["<|observation|>"]],
    }
    vision_config = {
        "depth": 1,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_heads": 2,
        "image_size": 56,
        "patch_size": 14,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
        "out_hidden_size": 64,
    }
    config = Glm4vConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=ids["<|image|>"],
        video_token_id=ids["<|video|>"],
        image_start_token_id=ids["<|begin_of_image|>"],
        image_end_token_id=ids["<|end_of_image|>"],
        video_start_token_id=ids["<|begin_of_video|>"],
        video_end_token_id=ids["<|end_of_video|>"],
    )
    torch.manual_seed(seed)
    model = Glm4vForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = text_config["eos_token_id"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    model.generation_config.do_sample = False
    model.save_pretrained(out_dir, safe_serialization=True)
    _write_processor_configs(out_dir)
    return out_dir


def _write_processor_configs(out_dir: Path) -> None:
    """Image processor config with small pixel bounds so test images become a handful of tokens."""
    image_processor = {
        "image_processor_type": "Glm4vImageProcessor",
        "processor_class": "Glm4vProcessor",
        "size": {"shortest_edge": 28 * 28, "longest_edge": 28 * 28 * 16},
        "patch_size": 14,
        "temporal_patch_size": 2,
        "merge_size": 2,
        "do_resize": True,
        "do_rescale": True,
        "do_normalize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
    }
    (out_dir / "preprocessor_config.json").write_text(json.dumps(image_processor, indent=2))
    # Only read where torchvision is installed (the stock processor builds a video processor too).
    video_processor = {
        "video_processor_type": "Glm4vVideoProcessor",
        "processor_class": "Glm4vProcessor",
        "size": {"shortest_edge": 28 * 28, "longest_edge": 28 * 28 * 16},
        "patch_size": 14,
        "temporal_patch_size": 2,
        "merge_size": 2,
    }
    (out_dir / "video_preprocessor_config.json").write_text(json.dumps(video_processor, indent=2))
    (out_dir / "processor_config.json").write_text(json.dumps({"processor_class": "Glm4vProcessor"}, indent=2))
