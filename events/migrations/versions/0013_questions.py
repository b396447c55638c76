"""questions: registration questions and answers; registrations that wait for approval

Revision ID: 0013_questions
Revises: 0012_series_slots
Create Date: 2026-11-27

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_questions'
down_revision = '0012_series_slots'
branch_labels = None
depends_on = None

OLD_STATUSES = ('confirmed', 'waitlisted', 'cancelled')
NEW_STATUSES = (*OLD_STATUSES, 'pending')
KINDS = ('text', 'long_text', 'single_choice', 'multiple_choice', 'consent')


@contextmanager
def _quiet():
    """SQLite's batch mode copies the table, reflecting the users table it points to; the
    functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def _status_check(statuses) -> str:
    return "status IN (%s)" % ", ".join(f"'{s}'" for s in statuses)  # noqa: UP031


def _set_statuses(statuses) -> None:
    """The status column is a VARCHAR with a named CHECK (no native enum on either database):
    replacing the CHECK changes the allowed values; batch mode rebuilds the table on SQLite."""
    with _quiet(), op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registrations_registration_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_registrations_registration_status'),
                                         _status_check(statuses))


def upgrade():
    op.create_table(
        'registration_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='question_kind', native_enum=False,
                                  create_constraint=True, length=15), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('help_text', sa.String(length=500), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('is_required', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_registration_questions_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions')),
    )
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_questions_event_id'), ['event_id'],
                              unique=False)
    op.create_table(
        'registration_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('question_label', sa.String(length=200), nullable=False),
        sa.Column('question_kind', sa.Enum(*KINDS, name='question_kind', native_enum=False,
                                           create_constraint=True, length=15),
                  nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['registration_questions.id'],
                                name=op.f('fk_registration_answers_question_id_'
                                          'registration_questions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_registration_answers_registration_id_'
                                          'registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_answers')),
        sa.UniqueConstraint('registration_id', 'question_id',
                            name=op.f('uq_registration_answers_registration_id')),
    )
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_answers_question_id'),
                              ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_answers_registration_id'),
                              ['registration_id'], unique=False)
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_needs_approval', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with _quiet(), op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.String(length=500), nullable=True))
    _set_statuses(NEW_STATUSES)


def downgrade():
    # Pending registrations have no place in the older schema: they become cancelled.
    op.execute("UPDATE registrations SET status = 'cancelled', cancelled_at = "
               "CURRENT_TIMESTAMP WHERE status = 'pending'")
    _set_statuses(OLD_STATUSES)
    with _quiet(), op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('decline_reason')
        batch_op.drop_column('declined_at')
    with _quiet(), op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('registration_needs_approval')
    with op.batch_alter_table('registration_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_answers_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_answers_question_id'))
    op.drop_table('registration_answers')
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_questions_event_id'))
    op.drop_table('registration_questions')
