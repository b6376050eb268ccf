"""assessment.locked_measures: the catalogue a locked assessment was reported against

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

The catalogue is every council's, and an import adds measures to it (or, with revise, rewords
them) after a council has locked an assessment it reported to committee: the locked
assessment's summary and reports then counted and listed the new measures, and showed the new
texts. Now a lock records the catalogue's measures as they stood, each with the version of its
text, as compact JSON ([["bury-1",1],...]), and the assessment is read with those alone. An
open assessment has none (NULL). An assessment locked before this revision also has none: what
its catalogue was at the lock was never recorded, so it reads the catalogue as it is now, as it
did before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("locked_measures", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("locked_measures")
