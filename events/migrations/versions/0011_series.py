"""series: events planned once on a pattern; events.series_id links each occurrence

Revision ID: 0011_series
Revises: 0010_tickets
Create Date: 2026-11-27

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_series'
down_revision = '0010_tickets'
branch_labels = None
depends_on = None


@contextmanager
def _quiet():
    """SQLite's batch mode copies the events table, reflecting the users table it points to;
    the functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def upgrade():
    op.create_table(
        'series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('lead_partner_id', sa.Integer(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('interval', sa.Integer(), nullable=False),
        sa.Column('weekdays', sa.String(length=20), nullable=False),
        sa.Column('month_day', sa.Integer(), nullable=True),
        sa.Column('nth', sa.Integer(), nullable=True),
        sa.Column('nth_weekday', sa.Integer(), nullable=True),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=True),
        sa.Column('allow_series_registration', sa.Boolean(), server_default=sa.false(),
                  nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('(until IS NULL) <> (count IS NULL)',
                           name=op.f('ck_series_until_or_count')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_series_created_by_id_users')),
        sa.ForeignKeyConstraint(['lead_partner_id'], ['partners.id'],
                                name=op.f('fk_series_lead_partner_id_partners')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_series')),
    )
    with _quiet(), op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_lead_partner_id'), ['lead_partner_id'],
                              unique=False)
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_events_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_series_id_series'), 'series',
                                    ['series_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_series_id_series'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_series_id'))
        batch_op.drop_column('series_id')
    with _quiet(), op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_lead_partner_id'))
    op.drop_table('series')
