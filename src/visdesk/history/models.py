"""Tables for sessions, messages, feedback and stored session images (SQLAlchemy 2 declarative).

Why a separate `images` table: a session's follow-ups reuse one image, so its bytes are stored
once per content id (and only when settings.history.store_images is on), not once per message.
The Alembic revisions in visdesk/migrations create exactly these tables; the models are the
source the store queries with, the migrations are what builds the schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LEGACY_OWNER = "legacy"
"""Owner of sessions recorded before tenancy (migration 0002): no principal is ever named so."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    client: Mapped[str | None] = mapped_column(String(16))  # "web" | "api"
    user_id: Mapped[str | None] = mapped_column(String(128))  # optional caller identity (never PII by design)
    # The principal that created the session (api.security.principal): only it may read or continue it.
    owner: Mapped[str] = mapped_column(String(64), default=LEGACY_OWNER, server_default=LEGACY_OWNER)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session_created", "session_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Answer.message_id
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    engine: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    latency_ms: Mapped[float] = mapped_column(Float)
    finish_reason: Mapped[str] = mapped_column(String(32), default="stop")
    image_content_id: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    structured: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(8))  # "up" | "down"
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImageRow(Base):
    __tablename__ = "images"

    content_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(32))  # of the upload; the stored bytes are always PNG
    original_width: Mapped[int] = mapped_column(Integer)
    original_height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)  # of the upload
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the normalised OCR-size copy, lossless PNG
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
