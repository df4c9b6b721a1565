"""The knowledge index: one SQLite file with chunks, an FTS5 table, exact codes, products and image features.

Why SQLite FTS5: it ships with Python, needs no server, ranks with bm25, and one file can be
rebuilt or copied with the service. Sync is incremental: a file is re-read only when its size or
mtime changed *and* its content hash differs, and rows of deleted files are dropped, so start-up
on an unchanged knowledge base costs a directory walk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visdesk.knowledge.analysis import Analyzer, fts_quote, normalise_code
from visdesk.knowledge.catalog import Product
from visdesk.knowledge.ingest import SUPPORTED_SUFFIXES, Chunk, parse_file
from visdesk.knowledge.products import Features, describe

log = logging.getLogger("visdesk.knowledge")

SCHEMA_VERSION = "3"
ANALYZERS = ("jieba", "trigram")
_FTS_TOKENIZE = {"jieba": "porter unicode61 remove_diacritics 2", "trigram": "trigram"}
_BM25_WEIGHTS = "6.0, 3.0, 1.0, 4.0"  # title, section, body, keywords
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{3,}")


@dataclass(frozen=True)
class StoredChunk:
    id: int
    doc_id: str
    title: str
    section: str
    text: str
    source: str
    kind: str
    sku: str
    meta: dict[str, Any]


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    products: int = 0
    images: int = 0  # product images whose features were (re)computed
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class KnowledgeIndex:
    """Thread-safe access to one index file (searches run in the pipeline's worker threads)."""

    def __init__(self, path: Path, analyzer: str = "jieba") -> None:
        if analyzer not in ANALYZERS:
            raise ValueError(f"unknown analyzer {analyzer!r}; expected one of {ANALYZERS}")
        self.path = path
        self.analyzer_name = analyzer
        self.analyzer = Analyzer()
        self._lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: several server processes may sync the same file at start-up; they wait their turn.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._ensure_schema()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- schema -------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        with self._lock:
            self._db.execute("CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT)")
            row = self._db.execute("SELECT value FROM info WHERE key='layout'").fetchone()
            layout = f"{SCHEMA_VERSION}:{self.analyzer_name}"
            if row and row[0] != layout:  # another analyzer or an older layout: start again
                for table in ("files", "chunks", "codes", "products", "features", "fts"):
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db.executescript(
                f"""
                CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, sha256 TEXT);
                CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, file TEXT, doc_id TEXT, title TEXT,
                    section TEXT, text TEXT, source TEXT, kind TEXT, sku TEXT, meta TEXT);
                CREATE INDEX IF NOT EXISTS chunks_file ON chunks(file);
                CREATE INDEX IF NOT EXISTS chunks_sku ON chunks(sku);
                CREATE TABLE IF NOT EXISTS codes(code TEXT, chunk_id INTEGER);
                CREATE INDEX IF NOT EXISTS codes_code ON codes(code);
                CREATE TABLE IF NOT EXISTS products(sku TEXT PRIMARY KEY, file TEXT, data TEXT);
                CREATE TABLE IF NOT EXISTS features(image TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, data BLOB);
                CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, section, body, keywords,
                    tokenize='{_FTS_TOKENIZE[self.analyzer_name]}');
                """
            )
            self._db.execute("INSERT OR REPLACE INTO info VALUES('layout', ?)", (layout,))

    # -- sync ---------------------------------------------------------------------------------

    def sync(self, roots: Sequence[Path], progress: bool | None = None) -> SyncReport:
        """Bring the index in line with the files under `roots` (re-reading only what changed)."""
        from tqdm import tqdm

        report = SyncReport()
        current = {
            path: (root if root.is_dir() else root.parent).resolve() for root in roots for path in _source_files(root)
        }
        with self._lock:
            known = {row[0]: row[1:] for row in self._db.execute("SELECT path, mtime_ns, size, sha256 FROM files")}
            for gone in set(known) - {str(p) for p in current}:
                self._forget(gone)
                report.removed += 1
            show = sys.stderr.isatty() if progress is None else progress
            for path, root in tqdm(sorted(current.items()), desc="kb ingest", unit="file", disable=not show):
                try:
                    self._sync_file(path, root, known.get(str(path)), report)
                except Exception as exc:  # a broken file must not stop the rest of the knowledge base
                    report.errors.append(f"{path.name}: {exc}")
                    log.warning("kb file skipped", extra={"fields": {"file": path.name, "error": str(exc)}})
            report.images = self._sync_features(report)
            report.chunks = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            report.products = self._db.execute("SELECT count(*) FROM products").fetchone()[0]
        return report

    def _sync_file(self, path: Path, root: Path, known: tuple[int, int, str] | None, report: SyncReport) -> None:
        stat = path.stat()
        if known and (known[0], known[1]) == (stat.st_mtime_ns, stat.st_size):
            report.unchanged += 1
            return
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if known and known[2] == digest:  # touched but not changed
            self._db.execute(
                "UPDATE files SET mtime_ns=?, size=? WHERE path=?", (stat.st_mtime_ns, stat.st_size, str(path))
            )
            report.unchanged += 1
            return
        parsed = parse_file(path, root)
        with _transaction(self._db):
            self._forget(str(path), in_transaction=True)
            for number, chunk in enumerate(parsed.chunks):
                self._insert_chunk(str(path), f"{chunk.source}#{number}", chunk)
            for product in parsed.products:
                self._db.execute(
                    "INSERT OR REPLACE INTO products VALUES(?, ?, ?)",
                    (product.sku, str(path), json.dumps(_product_json(product), ensure_ascii=False)),
                )
            self._db.execute(
                "INSERT OR REPLACE INTO files VALUES(?, ?, ?, ?)", (str(path), stat.st_mtime_ns, stat.st_size, digest)
            )
        if known:
            report.updated += 1
        else:
            report.added += 1

    def _insert_chunk(self, file: str, doc_id: str, chunk: Chunk) -> None:
        cursor = self._db.execute(
            "INSERT INTO chunks(file, doc_id, title, section, text, source, kind, sku, meta) VALUES(?,?,?,?,?,?,?,?,?)",
            (
                file,
                doc_id,
                chunk.title,
                chunk.section,
                chunk.text,
                chunk.source,
                chunk.kind,
                chunk.sku,
                json.dumps(chunk.meta, ensure_ascii=False),
            ),
        )
        rowid = cursor.lastrowid
        keywords = " ".join([*chunk.keywords, *chunk.phrasings])
        columns: tuple[str, ...] = (chunk.title, chunk.section, chunk.text, keywords)
        if self.analyzer_name == "jieba":
            columns = tuple(self.analyzer.index_tokens(c) for c in columns)
        self._db.execute("INSERT INTO fts(rowid, title, section, body, keywords) VALUES(?,?,?,?,?)", (rowid, *columns))
        for code in {normalise_code(k) for k in chunk.keywords if len(normalise_code(k)) >= 3}:
            self._db.execute("INSERT INTO codes VALUES(?, ?)", (code, rowid))

    def _forget(self, file: str, in_transaction: bool = False) -> None:
        def run() -> None:
            ids = [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE file=?", (file,))]
            self._db.executemany("DELETE FROM fts WHERE rowid=?", [(i,) for i in ids])
            self._db.executemany("DELETE FROM codes WHERE chunk_id=?", [(i,) for i in ids])
            self._db.execute("DELETE FROM chunks WHERE file=?", (file,))
            self._db.execute("DELETE FROM products WHERE file=?", (file,))
            self._db.execute("DELETE FROM files WHERE path=?", (file,))

        if in_transaction:
            run()
        else:
            with _transaction(self._db):
                run()

    def _sync_features(self, report: SyncReport) -> int:
        """ORB features for every product image that is new or changed since the last sync."""
        computed = 0
        images = {p.image for p in self.products() if p.image and Path(p.image).is_file()}
        known = {row[0]: (row[1], row[2]) for row in self._db.execute("SELECT image, mtime_ns, size FROM features")}
        for image in images:
            path = Path(image)
            stat = path.stat()
            if known.get(image) == (stat.st_mtime_ns, stat.st_size):
                continue
            from PIL import Image

            try:
                with Image.open(path) as picture:
                    features = describe(picture)
            except Exception as exc:  # an unreadable picture only costs that product its image match
                report.errors.append(f"{path.name}: {exc}")
                continue
            self._db.execute(
                "INSERT OR REPLACE INTO features VALUES(?, ?, ?, ?)",
                (image, stat.st_mtime_ns, stat.st_size, features.to_bytes()),
            )
            computed += 1
        self._db.executemany("DELETE FROM features WHERE image=?", [(i,) for i in set(known) - images])
        return computed

    # -- reads --------------------------------------------------------------------------------

    def products(self) -> list[Product]:
        with self._lock:
            rows = self._db.execute("SELECT data FROM products ORDER BY sku").fetchall()
        return [_product_from_json(json.loads(r[0])) for r in rows]

    def features(self) -> dict[str, Features]:
        """Image path → ORB features of every catalog image."""
        with self._lock:
            rows = self._db.execute("SELECT image, data FROM features").fetchall()
        return {image: Features.from_bytes(data) for image, data in rows}

    def match_expression(self, terms: Sequence[str], raw: str = "") -> str:
        """An FTS5 OR-query for the terms in this index's analyzer (trigram: ≥3-character pieces only)."""
        if self.analyzer_name == "jieba":
            pieces = [fts_quote(t) for t in terms]
        else:
            pieces = [fts_quote(t) for t in terms if len(t) >= 3]
            for run in _CJK_RUN.findall(raw):
                pieces.extend(fts_quote(run[i : i + 3]) for i in range(len(run) - 2))
        return " OR ".join(dict.fromkeys(pieces))

    def search(
        self, terms: Sequence[str], limit: int, raw: str = "", kind: str | None = None, sku: str | None = None
    ) -> list[tuple[int, float]]:
        """(chunk id, bm25 score ≥ 0, higher is better) for an OR of the terms."""
        expression = self.match_expression(terms, raw)
        if not expression:
            return []
        sql = f"SELECT fts.rowid, -bm25(fts, {_BM25_WEIGHTS}) FROM fts"
        filters, params = ["fts MATCH ?"], [expression]
        if kind or sku:
            sql += " JOIN chunks ON chunks.id = fts.rowid"
            if kind:
                filters.append("chunks.kind = ?")
                params.append(kind)
            if sku:
                filters.append("chunks.sku = ?")
                params.append(sku)
        sql += " WHERE " + " AND ".join(filters) + f" ORDER BY bm25(fts, {_BM25_WEIGHTS}) LIMIT ?"
        with self._lock:
            try:
                return [(r[0], float(r[1])) for r in self._db.execute(sql, (*params, limit))]
            except sqlite3.OperationalError as exc:  # an expression FTS5 cannot parse: no text hits
                log.warning("kb query failed", extra={"fields": {"error": str(exc)}})
                return []

    def lookup_codes(self, codes: Sequence[str]) -> dict[str, list[int]]:
        """Normalised code → chunk ids that declare it (error codes, SKUs, model numbers)."""
        wanted = list(dict.fromkeys(c for c in codes if len(c) >= 3))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        found: dict[str, list[int]] = {}
        with self._lock:
            for code, chunk_id in self._db.execute(f"SELECT code, chunk_id FROM codes WHERE code IN ({marks})", wanted):
                found.setdefault(code, []).append(chunk_id)
        return found

    def chunks(self, ids: Sequence[int]) -> dict[int, StoredChunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        sql = f"SELECT id, doc_id, title, section, text, source, kind, sku, meta FROM chunks WHERE id IN ({marks})"
        with self._lock:
            rows = self._db.execute(sql, list(ids)).fetchall()
        return {r[0]: _stored_chunk(r) for r in rows}

    def chunks_for_sku(self, sku: str, kind: str) -> list[StoredChunk]:
        with self._lock:
            ids = [
                r[0] for r in self._db.execute("SELECT id FROM chunks WHERE sku=? AND kind=? ORDER BY id", (sku, kind))
            ]
        found = self.chunks(ids)
        return [found[i] for i in ids]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])


def _stored_chunk(row: Sequence[Any]) -> StoredChunk:
    """A `chunks` row (columns in the order `chunks()` selects them) as a StoredChunk, its meta parsed."""
    chunk_id, doc_id, title, section, text, source, kind, sku, meta = row
    return StoredChunk(chunk_id, doc_id, title, section, text, source, kind, sku, json.loads(meta or "{}"))


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")  # take the write lock now, so a concurrent sync waits (busy timeout)
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _source_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root.resolve()] if root.suffix.lower() in SUPPORTED_SUFFIXES else []
    root = root.resolve()
    return [
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


def _product_json(product: Product) -> dict[str, Any]:
    return {**product.__dict__, "compatible": list(product.compatible)}


def _product_from_json(data: dict[str, Any]) -> Product:
    return Product(**{**data, "compatible": tuple(data.get("compatible", ()))})
