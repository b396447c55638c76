"""publishing: the partners' embeddable agenda

Revision ID: 0009_publishing
Revises: 0008_request_ids
Create Date: 2026-11-27

Each partner lists the websites allowed to frame its agenda widget (one origin a line) and
chooses the widget's background and accent colours.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_publishing'
down_revision = '0008_request_ids'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embed_origins', sa.Text(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('embed_background', sa.String(length=7),
                                      server_default='#ffffff', nullable=False))
        batch_op.add_column(sa.Column('embed_accent', sa.String(length=7), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('embed_accent')
        batch_op.drop_column('embed_background')
        batch_op.drop_column('embed_origins')
