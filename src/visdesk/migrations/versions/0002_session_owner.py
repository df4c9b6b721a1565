"""Sessions get an owner: the principal (API key id, browser cookie, or anonymous) that created them.

Why a legacy owner for existing rows: sessions recorded before tenancy carry no trace of who
created them, and guessing (say, "anonymous") would hand every old conversation to whoever asks
without a key. They get the owner "legacy", which no principal is ever named, so they stay in the
database (and in backups) but are no longer readable or continuable over the API.

Revision ID: 0002_session_owner
Revises: 0001_initial
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_session_owner"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_OWNER = "legacy"  # the same as visdesk.history.models.LEGACY_OWNER; migrations do not import the app


def upgrade() -> None:
    # batch mode: SQLite cannot ALTER a column in place; with a server default ADD COLUMN ... NOT NULL works on both.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("owner", sa.String(64), nullable=False, server_default=LEGACY_OWNER))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("owner")
