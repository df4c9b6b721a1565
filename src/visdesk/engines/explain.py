"""Where did the VLM look? Attention of the answer tokens over the image patches, as a heatmap.

Why: when a VLM answer is wrong, the first question is whether it read the right part of the
screenshot. We generate the answer greedily, run one forward pass over prompt + answer with eager
attention, take the attention rows that produced each answer token, keep the columns of the image
tokens, average over heads, the last layers and the answer tokens, and lay the result on GLM's
patch grid (after its 2×2 spatial merge: one image token per merged patch). The grid is upsampled
over the image and saved as a PNG.

Memory: output_attentions keeps every layer's [heads, seq, seq] map; for GLM-4.6V-Flash with a
1024-px screenshot that is several GB on the GPU. Use a smaller image (--max-side) when it is tight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from visdesk.domain import EngineRequest, Grounding, Language, Query
from visdesk.engines.hf.loading import LoadedModel, load_model
from visdesk.engines.prompt import build_messages
from visdesk.settings import TransformersSettings


@dataclass(frozen=True)
class Explanation:
    answer: str
    grid: np.ndarray  # [grid_h, grid_w] attention per image token (merged patch), sums to 1
    heatmap: np.ndarray  # [H, W] in 0..1, upsampled to the image
    overlay: Image.Image  # the image with the heatmap blended over it
    layers: tuple[int, ...]  # which decoder layers were averaged


def load_for_explain(settings: TransformersSettings, model: str) -> LoadedModel:
    """The model with eager attention (fused kernels do not return attention maps)."""
    return load_model(settings, model, attn_implementation="eager")


def _prompt(loaded: LoadedModel, image: Image.Image, question: str, language: Language, thinking: bool) -> str:
    request = EngineRequest(query=Query(question=question, image=None, language=language), grounding=Grounding(None))
    messages = build_messages(request, image_placeholder={"type": "image", "image": image})
    prompt: Any = loaded.processor.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False, enable_thinking=thinking
    )
    return prompt if isinstance(prompt, str) else prompt[0]


def explain(
    loaded: LoadedModel,
    image: Image.Image,
    question: str,
    *,
    language: Language = "en",
    max_new_tokens: int = 32,
    last_layers: int = 4,
    enable_thinking: bool = False,
    alpha: float = 0.45,
) -> Explanation:
    import torch

    model, processor = loaded.model, loaded.processor
    image = image.convert("RGB")
    prompt = _prompt(loaded, image, question, language, enable_thinking)
    inputs = processor(text=[prompt], images=[image], return_tensors="pt").to(loaded.device)
    inputs["pixel_values"] = inputs["pixel_values"].to(model.dtype)
    prompt_len = inputs["input_ids"].shape[1]
    with torch.inference_mode():
        sequence = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
        answer_ids = sequence[0, prompt_len:]
        full = dict(inputs)
        full["input_ids"] = sequence
        full["attention_mask"] = torch.ones_like(sequence)
        if "mm_token_type_ids" in inputs:
            pad = torch.zeros_like(answer_ids)[None]
            full["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], pad], dim=1)
        outputs = model(**full, output_attentions=True, use_cache=False)
    attentions = outputs.attentions
    if not attentions or attentions[0] is None:
        raise RuntimeError("The model returned no attention maps; load it with attn_implementation='eager'.")
    layers = tuple(range(max(0, len(attentions) - last_layers), len(attentions)))
    image_cols = (sequence[0] == model.config.image_token_id).nonzero().flatten()
    # the query row at position p produced token p+1: rows prompt_len-1 .. end-1 produced the answer
    rows = torch.arange(prompt_len - 1, sequence.shape[1] - 1, device=sequence.device)
    stacked = torch.stack([attentions[i][0].float() for i in layers])  # [layers, heads, seq, seq]
    per_token = stacked[:, :, rows][:, :, :, image_cols].mean(dim=(0, 1, 2))  # [image tokens]
    grid = _to_grid(per_token.cpu().numpy(), inputs["image_grid_thw"][0].tolist(), _merge_size(processor))
    heatmap, overlay = _overlay(image, grid, alpha)
    answer = processor.tokenizer.decode(answer_ids, skip_special_tokens=True)
    return Explanation(answer=answer, grid=grid, heatmap=heatmap, overlay=overlay, layers=layers)


def _merge_size(processor: Any) -> int:
    return int(getattr(processor.image_processor, "merge_size", 2) or 2)


def _to_grid(values: np.ndarray, grid_thw: list[int], merge: int) -> np.ndarray:
    """One value per image token → the [h/merge, w/merge] grid (first temporal slice for images)."""
    t, h, w = grid_thw
    gh, gw = h // merge, w // merge
    if values.size != t * gh * gw:
        raise RuntimeError(f"{values.size} image tokens do not fill a {t}×{gh}×{gw} grid.")
    grid: np.ndarray = values.reshape(t, gh, gw).mean(axis=0)
    total = float(grid.sum())
    return (grid / total if total > 0 else grid).astype(np.float32)


def _overlay(image: Image.Image, grid: np.ndarray, alpha: float) -> tuple[np.ndarray, Image.Image]:
    import cv2

    span = float(grid.max() - grid.min())
    normalised = (grid - grid.min()) / span if span > 0 else np.zeros_like(grid)
    heatmap = cv2.resize(normalised, image.size, interpolation=cv2.INTER_CUBIC).clip(0.0, 1.0)
    coloured = cv2.applyColorMap((heatmap * 255).astype(np.uint8), cv2.COLORMAP_JET)[:, :, ::-1]
    blended = (np.asarray(image, dtype=np.float32) * (1 - alpha) + coloured.astype(np.float32) * alpha).astype(np.uint8)
    return heatmap.astype(np.float32), Image.fromarray(blended)


def save(explanation: Explanation, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    explanation.overlay.save(out, format="PNG")
    return out
