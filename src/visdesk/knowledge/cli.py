"""`visdesk kb ingest DIR… [--index PATH]` and `visdesk kb search "question" [--image FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: _settings still imports it when a command runs
    from visdesk.settings import Settings


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = subparsers.add_parser("kb", help="knowledge base: ingest folders, search passages")
    commands = kb.add_subparsers(dest="kb_command", required=True)

    ingest = commands.add_parser("ingest", help="index Markdown/TXT/PDF/CSV files (only changed files are re-read)")
    ingest.add_argument("dirs", nargs="*", type=Path, help="folders or files; none = settings (or the demo shop)")
    ingest.add_argument("--index", type=Path, default=None, help="index file (default: settings.knowledge.index_path)")
    ingest.add_argument("--analyzer", choices=("jieba", "trigram"), default=None)
    ingest.set_defaults(func=_ingest)

    search = commands.add_parser("search", help="print the ranked passages for a question")
    search.add_argument("question")
    search.add_argument("--index", type=Path, default=None)
    search.add_argument("--dir", dest="dirs", type=Path, action="append", default=[], help="sync this folder first")
    search.add_argument("--top-k", type=int, default=5)
    search.add_argument("--image", type=Path, default=None, help="also identify the product in this photo")
    search.add_argument("--json", action="store_true", help="print passages as JSON")
    search.set_defaults(func=_search)


def _settings(args: argparse.Namespace) -> Settings:
    from visdesk.settings import Settings

    settings = Settings()
    knowledge = settings.knowledge
    if args.index is not None:
        knowledge = knowledge.model_copy(update={"index_path": args.index})
    if getattr(args, "analyzer", None):
        knowledge = knowledge.model_copy(update={"analyzer": args.analyzer})
    if args.dirs:
        knowledge = knowledge.model_copy(update={"dirs": list(args.dirs)})
    return settings.model_copy(update={"knowledge": knowledge})


def _ingest(args: argparse.Namespace) -> int:
    from visdesk.knowledge import knowledge_dirs, open_index

    settings = _settings(args)
    dirs = knowledge_dirs(settings)
    missing = [str(d) for d in dirs if not d.exists()]
    if missing:
        print(f"error: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    index = open_index(settings)
    report = index.sync(dirs)
    print(
        f"{index.path}: {report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged files; {report.chunks} passages, {report.products} products, "
        f"{report.images} product images described"
    )
    for problem in report.errors:
        print(f"  skipped {problem}", file=sys.stderr)
    index.close()
    return 1 if report.errors else 0


def _search(args: argparse.Namespace) -> int:
    from visdesk.domain import Query
    from visdesk.knowledge import KnowledgeService, knowledge_dirs, open_index
    from visdesk.language import detect_language

    settings = _settings(args)
    index = open_index(settings)
    if args.dirs or index.count() == 0:
        index.sync(knowledge_dirs(settings), progress=False)
    service = KnowledgeService(index, product_match=settings.knowledge.product_match)
    image, seen = None, None
    if args.image is not None:  # the same path as a request: intake, OCR (for model numbers), then search
        from visdesk.domain import Perception
        from visdesk.images import intake
        from visdesk.perception.ocr import OcrReader

        image = intake(args.image.read_bytes(), settings.images)
        lines = OcrReader(settings.ocr).read(image)
        seen = Perception(content_id=image.content_id, size=image.original_size, lines=lines)
    query = Query(question=args.question, image=image, language=detect_language(args.question))
    passages = service.search(query, seen, args.top_k)
    if args.json:
        print(json.dumps([p.__dict__ for p in passages], ensure_ascii=False, indent=2))
    for rank, passage in enumerate(passages if not args.json else (), start=1):
        where = f"{passage.title} › {passage.section}" if passage.section else passage.title
        method = passage.meta.get("match_method")
        print(
            f"{rank}. [{passage.score:.2f}] {where}  ({passage.kind}, {passage.source})"
            + (f" via {method}" if method else "")
        )
        snippet = " ".join(passage.text.split())
        print(f"   {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
    if not passages:
        print("no passages found")
    index.close()
    return 0
