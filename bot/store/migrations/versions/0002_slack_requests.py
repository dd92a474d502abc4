"""slack_requests: the first answer to each recent Slack request, so a replay is answered, not re-run

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slack_requests',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_slack_requests'))
    )
    with op.batch_alter_table('slack_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_requests_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_requests_expires_at'))
    op.drop_table('slack_requests')
