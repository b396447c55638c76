"""partner names in Russian

Revision ID: 0003_partner_names_ru
Revises: 0002_accounts
Create Date: 2026-12-02

Partners get their Russian name and short name, shown to readers of the Russian interface
(empty: the main name serves every language).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_partner_names_ru'
down_revision = '0002_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ru', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('short_name_ru', sa.String(length=64), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('short_name_ru')
        batch_op.drop_column('name_ru')
