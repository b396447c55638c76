"""tickets: a random ticket secret per registration, backfilled for existing rows

Revision ID: 0010_tickets
Revises: 0009_publishing
Create Date: 2026-11-27

"""
import secrets
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_tickets'
down_revision = '0009_publishing'
branch_labels = None
depends_on = None


@contextmanager
def _quiet():
    """SQLite's batch mode copies the table, reflecting the users table it points to; the
    functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_secret', sa.String(length=32), nullable=True))
    registrations = sa.table('registrations', sa.column('id', sa.Integer),
                             sa.column('ticket_secret', sa.String))
    bind = op.get_bind()
    ids = bind.execute(sa.select(registrations.c.id)).scalars().all()
    for registration_id in ids:
        bind.execute(registrations.update().where(registrations.c.id == registration_id)
                     .values(ticket_secret=secrets.token_urlsafe(16)))
    with _quiet(), op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('ticket_secret', existing_type=sa.String(length=32),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registrations_ticket_secret'),
                                          ['ticket_secret'])


def downgrade():
    with _quiet(), op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registrations_ticket_secret'), type_='unique')
        batch_op.drop_column('ticket_secret')
