"""Running a parsed /incident command: the one path Slack, the CLI and the demo share (bot.commands.execute)."""

from bot.commands.execute import Outcome, execute, preview

__all__ = ["Outcome", "execute", "preview"]
