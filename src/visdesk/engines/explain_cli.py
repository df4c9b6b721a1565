"""`visdesk explain IMAGE "question" [--out heatmap.png]`: the VLM's attention over the image."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _explain(args: argparse.Namespace) -> int:
    from visdesk import images
    from visdesk.engines.explain import explain, load_for_explain, save
    from visdesk.errors import AppError
    from visdesk.language import detect_language
    from visdesk.settings import Settings

    settings = Settings()
    config = settings.transformers.model_copy(update={"device": args.device} if args.device else {})
    image_settings = settings.images.model_copy(update={"max_side": args.max_side})
    try:
        image = images.intake(Path(args.image).read_bytes(), image_settings)
        loaded = load_for_explain(config, args.model or config.model)
        result = explain(
            loaded,
            image.image,
            args.question,
            language=detect_language(args.question),
            max_new_tokens=args.max_new_tokens,
            last_layers=args.layers,
        )
    except AppError as exc:
        print(f"error ({exc.code.value}): {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = save(result, Path(args.out))
    grid_h, grid_w = result.grid.shape
    print(result.answer)
    print(f"heatmap: {out} (grid {grid_h}×{grid_w}, layers {result.layers[0]}–{result.layers[-1]})")
    return 0


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("explain", help="draw where the VLM looked while answering (attention heatmap)")
    parser.add_argument("image", help="a screenshot or photo")
    parser.add_argument("question")
    parser.add_argument("--out", default="heatmap.png", help="PNG to write (default: heatmap.png)")
    parser.add_argument("--model", default=None, help="model dir or cached id (default: settings.transformers.model)")
    parser.add_argument("--device", default=None, help="cpu | cuda | cuda:N (default: settings.transformers.device)")
    parser.add_argument("--layers", type=int, default=4, help="average the attention of this many last layers")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="answer length to explain")
    parser.add_argument("--max-side", type=int, default=768, help="longest image side given to the model")
    parser.set_defaults(func=_explain)
