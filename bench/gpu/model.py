"""A randomly initialised GLM-4.6V-Flash-sized model, built without downloading anything.

Why random weights measure speed honestly: decoding cost depends on the architecture's sizes
(weights streamed per token, KV heads, image tokens), not on the values. The model is built on
the meta device (no memory, no init), materialised on the GPU with `to_empty`, then initialised
there by transformers' own `initialize_weights` (which also recomputes the rotary buffers), in bf16.
The tokenizer is the small test BPE with GLM's special tokens: prompts are shorter than with GLM's
151k vocabulary, but image tokens (which dominate a screenshot prompt) are exact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# GLM-4.6V-Flash (= GLM-4.1V-9B architecture): zai-org/GLM-4.6V-Flash config.json
GLM_46V_FLASH_TEXT = {
    "vocab_size": 151552,
    "hidden_size": 4096,
    "intermediate_size": 13696,
    "num_hidden_layers": 40,
    "num_attention_heads": 32,
    "num_key_value_heads": 2,
    "max_position_embeddings": 65536,
    "rms_norm_eps": 1e-5,
    "rope_parameters": {
        "rope_type": "default",
        "rope_theta": 10000.0,
        "partial_rotary_factor": 0.5,
        "mrope_section": [8, 12, 12],
    },
}
GLM_46V_FLASH_VISION = {
    "depth": 24,
    "hidden_size": 1536,
    "intermediate_size": 13696,
    "num_heads": 12,
    "image_size": 336,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
    "out_hidden_size": 4096,
}
GLM_IMAGE_PROCESSOR = {
    "image_processor_type": "Glm4vImageProcessor",
    "processor_class": "Glm4vProcessor",
    "size": {"shortest_edge": 12544, "longest_edge": 9633792},
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "do_resize": True,
    "do_rescale": True,
    "do_normalize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
}


def build_full(
    workdir: Path, device: str, *, text: dict[str, Any] | None = None, vision: dict[str, Any] | None = None
) -> Any:
    """GLM-4.6V-Flash sizes (or `text`/`vision` overrides), random bf16 weights on `device`; a LoadedModel."""
    import torch
    from tests.support.tiny_glm import GLM_SPECIAL_TOKENS, build_tokenizer
    from transformers import Glm4vConfig, Glm4vForConditionalGeneration

    from visdesk.engines.hf.loading import LoadedModel
    from visdesk.engines.hf.processor import load_image_only_glm_processor

    workdir.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(workdir)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in GLM_SPECIAL_TOKENS}
    config = Glm4vConfig(
        text_config={**GLM_46V_FLASH_TEXT, **(text or {}), "pad_token_id": ids["<|endoftext|>"]},
        vision_config={**GLM_46V_FLASH_VISION, **(vision or {})},
        image_token_id=ids["<|image|>"],
        video_token_id=ids["<|video|>"],
        image_start_token_id=ids["<|begin_of_image|>"],
        image_end_token_id=ids["<|end_of_image|>"],
        video_start_token_id=ids["<|begin_of_video|>"],
        video_end_token_id=ids["<|end_of_video|>"],
    )
    (workdir / "preprocessor_config.json").write_text(json.dumps(GLM_IMAGE_PROCESSOR))
    model = materialise(Glm4vForConditionalGeneration, config, device, torch.bfloat16)
    # The small tokenizer covers only the first ids: zero the output rows beyond it, so greedy picks
    # (almost surely) decodable tokens and HTTP streaming shows text (TTFT is measured on text).
    with torch.no_grad():
        model.get_output_embeddings().weight[len(tokenizer) :].zero_()
    # A random model may pick EOS early; the benchmark wants every answer exactly N tokens long.
    model.generation_config.eos_token_id = [config.text_config.vocab_size - 1]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    model.generation_config.do_sample = False
    processor = load_image_only_glm_processor(workdir)  # images only: no video config to provide
    processor.tokenizer.padding_side = "left"
    return LoadedModel(model=model, processor=processor, path=workdir, device=torch.device(device))


def materialise(cls: Any, config: Any, device: str, dtype: Any) -> Any:
    """Build on meta (instant), allocate on `device`, and initialise there."""
    import torch

    with torch.device("meta"):
        model = cls._from_config(config, dtype=dtype, attn_implementation="sdpa")
    model = model.to_empty(device=device)
    for module in model.modules():
        module._is_hf_initialized = False
    model.initialize_weights()
    return model.eval()


def build_tiny(workdir: Path) -> Any:
    """The test suite's tiny GLM, saved and loaded through the engine's real loading code (CPU smoke runs)."""
    from tests.support.tiny_glm import build_tiny_glm

    from visdesk.engines.hf.loading import load_model
    from visdesk.settings import TransformersSettings

    path = build_tiny_glm(workdir)
    loaded = load_model(TransformersSettings(device="cpu"), str(path))
    loaded.model.generation_config.eos_token_id = [loaded.model.config.text_config.vocab_size - 1]
    return loaded


def weight_bytes(model: Any) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())
