"""Command line: visdesk serve | ask | (kb, explain, manual: added by their modules)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from visdesk.errors import AppError

Command = Callable[[argparse.Namespace], int]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from visdesk.app import create_app
    from visdesk.http_server import uvicorn_options
    from visdesk.observability import configure_logging
    from visdesk.settings import Settings

    chosen = {"host": args.host, "port": args.port, "engine": args.engine}
    overrides = {k: v for k, v in chosen.items() if v is not None}
    settings = Settings(**overrides)
    configure_logging(settings.observability.log_level, settings.observability.log_json)
    app = create_app(settings)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, timeout_graceful_shutdown=10,
        **uvicorn_options(settings),  # header deadline (slow clients get 408)
    )  # fmt: skip
    return 0


def _ask(args: argparse.Namespace) -> int:
    """Answer one question: stream the text to stdout (or print the JSON object); bad input → exit 2."""
    from visdesk.assistant import Assistant, image_bytes
    from visdesk.observability import configure_logging

    configure_logging("WARNING", json_lines=False)
    try:
        # "-" reads the image from stdin; an unreadable path fails before any model loads
        args.image = sys.stdin.buffer.read() if args.image == "-" else image_bytes(args.image)
        with Assistant.from_pretrained(args.engine or "embedded") as assistant:
            if args.json:
                _print_json(assistant, args)
            else:
                _print_stream(assistant, args)
    except AppError as exc:
        sys.stdout.flush()
        print(f"error ({exc.code.value}): {exc.message}", file=sys.stderr)
        return 2
    return 0


def _print_json(assistant: Any, args: argparse.Namespace) -> None:
    from visdesk.streaming import answer_json

    answer = assistant.ask(image=args.image, text=args.question)
    print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))


def _print_stream(assistant: Any, args: argparse.Namespace) -> None:
    from visdesk.domain import Answer

    final: Answer | None = None
    for event in assistant.stream(image=args.image, text=args.question):
        if isinstance(event, Answer):
            final = event
        elif event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()
    sys.stdout.write("\n")
    if final is None:
        return
    for evidence in final.evidence:
        box = ", ".join(f"{v:.0f}" for v in evidence.box) if evidence.box else "-"
        print(f"  evidence: {evidence.text}  [{box}]")
    for source in final.sources:
        print(f"  source: {source.title}" + (f" › {source.section}" if source.section else ""))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visdesk", description="Image + text customer-support answers.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--engine", default=None, help="embedded | transformers[:model] | remote[:url] | auto")
    serve.set_defaults(func=_serve)

    ask = sub.add_parser("ask", help="answer one question about an image")
    ask.add_argument("image", help="path of a JPEG, PNG, WebP, GIF, BMP or HEIC file, or - for stdin")
    ask.add_argument("question", help="the question, in Chinese or English")
    ask.add_argument("--json", action="store_true", help="print the whole response object")
    ask.add_argument("--engine", default=None, help="engine spec (default: embedded)")
    ask.set_defaults(func=_ask)

    for register in _extension_commands():
        register(sub)
    return parser


def _extension_commands() -> list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]:
    """Subcommands that live beside their feature (kb, explain …): each module exposes `register_cli`."""
    import importlib

    registrars: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = []
    for module_name in ("visdesk.knowledge.cli", "visdesk.engines.explain_cli", "visdesk.manuals.cli"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        registrars.append(module.register_cli)
    return registrars


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
