"""site_files: the status site as rows, for HERALD_SITE_STORE=database

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 06:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('site_files',
    sa.Column('path', sa.String(length=512), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('cache_control', sa.String(length=100), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('path', name=op.f('pk_site_files'))
    )
    with op.batch_alter_table('site_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_files_version'), ['version'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('site_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_files_version'))
    op.drop_table('site_files')
