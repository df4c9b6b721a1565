"""`visdesk manual draft IMAGE… --specs specs.csv --lang zh,en,es,fr [--out DIR]` (in-process, offline OCR)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    manual = subparsers.add_parser("manual", help="draft product manuals from photos and a spec table")
    commands = manual.add_subparsers(dest="manual_command", required=True)
    draft = commands.add_parser("draft", help="write manual.<lang>.md and .html with citations and a checklist")
    draft.add_argument("images", nargs="*", type=Path, help="product and packaging photos")
    draft.add_argument("--specs", type=Path, default=None, help="the spec table as CSV")
    draft.add_argument("--lang", default="en", help="comma-separated: zh,en,es,fr (default en)")
    draft.add_argument("--name", default="", help="the product's name, when the photos do not show it")
    draft.add_argument("--out", type=Path, default=Path("."), help="folder for the drafts (default: here)")
    draft.set_defaults(func=_draft)


def _draft(args: argparse.Namespace) -> int:
    from visdesk.errors import AppError
    from visdesk.images import intake
    from visdesk.manuals import check_languages, draft_manual, parse_specs
    from visdesk.manuals.render import to_html, to_markdown
    from visdesk.perception import build_perceiver
    from visdesk.settings import Settings

    try:
        languages = check_languages(args.lang.split(","))
        specs = parse_specs(args.specs.read_text(encoding="utf-8-sig")) if args.specs else []
        settings = Settings()
        perceiver = build_perceiver(settings)
        photos = [perceiver.perceive(intake(path.read_bytes(), settings.images)) for path in args.images]
    except (AppError, OSError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    if not photos and not specs:
        print("error: give at least one photo or --specs", file=sys.stderr)
        return 2
    drafts = draft_manual(photos, specs, languages, args.name)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, draft in drafts.items():
        (args.out / f"manual.{lang}.md").write_text(to_markdown(draft), encoding="utf-8")
        (args.out / f"manual.{lang}.html").write_text(to_html(draft), encoding="utf-8")
        print(f"{args.out / f'manual.{lang}.md'}  ({len(draft.checklist)} items to review)")
    return 0
