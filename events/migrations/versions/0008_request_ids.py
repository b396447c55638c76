"""request ids: the outbox keeps the X-Request-ID of the request that queued each mail

Revision ID: 0008_request_ids
Revises: 0007_operations
Create Date: 2026-11-27

A nullable column: code of the previous release neither writes nor reads it, so it runs
against the upgraded database (web and workers may be restarted after the migration).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_request_ids'
down_revision = '0007_operations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('request_id')
