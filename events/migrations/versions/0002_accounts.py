"""accounts: verified residents, resident companies, session tokens, anonymisation

Revision ID: 0002_accounts
Revises: 0001_initial
Create Date: 2026-11-27

Existing residents stay confirmed residents with a verified address (they signed up before
verification existed); every account gets its own session token and look-alike email key.

"""
import json
import secrets
import unicodedata
from importlib import resources

from alembic import op
import sqlalchemy as sa


revision = '0002_accounts'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def _email_key(address, table):
    # The rule of events.auth.emails.email_key, frozen here so this migration never changes.
    folded = unicodedata.normalize("NFKC", address).strip().casefold()
    return "".join(c if c.isascii() else table.get(c, c) for c in folded).casefold()


def _lookalikes():
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table = {}
    for char, homoglyphs in json.loads(raw).items():
        if len(char) != 1 or char.isascii():
            continue
        candidates = sorted(h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()
                            and (h["c"].isalnum() or h["c"] in "-._+@"))
        if candidates:
            table[char] = min(candidates, key=lambda c: (not c.islower(), c))
    return table


def upgrade():
    op.create_table('resident_companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_resident_companies_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_companies')),
    sa.UniqueConstraint('partner_id', 'name', name='uq_resident_companies_partner_name')
    )
    with op.batch_alter_table('resident_companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_companies_partner_id'), ['partner_id'], unique=False)

    op.create_table('company_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['resident_companies.id'], name=op.f('fk_company_domains_company_id_resident_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_domains')),
    sa.UniqueConstraint('domain', name=op.f('uq_company_domains_domain'))
    )
    with op.batch_alter_table('company_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_domains_company_id'), ['company_id'], unique=False)

    # SQLite rebuilds the table in batch mode and cannot carry the expression index across.
    op.drop_index('uq_users_email_lower', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('residency', sa.Enum('pending', 'confirmed', 'refused', name='residency', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('resident_company_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('residency_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_resident_company_id_resident_companies'), 'resident_companies', ['resident_company_id'], ['id'], ondelete='SET NULL')

    conn = op.get_bind()
    table = _lookalikes()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('role', sa.String), sa.column('created_at', sa.DateTime),
                     sa.column('email_key', sa.String), sa.column('session_token', sa.String),
                     sa.column('email_verified_at', sa.DateTime),
                     sa.column('residency', sa.String))
    for user_id, email, role, created_at in conn.execute(
            sa.select(users.c.id, users.c.email, users.c.role, users.c.created_at)).all():
        values = {"email_key": _email_key(email, table), "session_token": secrets.token_hex(32),
                  "email_verified_at": created_at}
        if role == "resident":
            values["residency"] = "confirmed"
        conn.execute(users.update().where(users.c.id == user_id).values(**values))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email_key', existing_type=sa.String(length=320), nullable=False)
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_email_key'), ['email_key'])
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_index('uq_users_email_lower', table_name='users')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_email_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_users_resident_company_id_resident_companies'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_users_residency'), type_='check')
        for name in ('deleted_at', 'password_changed_at', 'session_token', 'residency_decided_at',
                     'resident_company_id', 'residency', 'email_verified_at', 'email_key'):
            batch_op.drop_column(name)
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)
    with op.batch_alter_table('company_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_domains_company_id'))
    op.drop_table('company_domains')
    with op.batch_alter_table('resident_companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_companies_partner_id'))
    op.drop_table('resident_companies')
