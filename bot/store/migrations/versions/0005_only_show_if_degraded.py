"""components.only_show_if_degraded: a component the status page shows only while it is not operational

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('components') as batch:
        batch.add_column(sa.Column('only_show_if_degraded', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('components') as batch:
        batch.drop_column('only_show_if_degraded')
