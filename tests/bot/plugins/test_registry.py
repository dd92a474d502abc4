"""Publisher discovery: plugins and built-ins alike, broken ones reported and skipped."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.domain.snapshots import Event
from bot.plugins.contract import Publisher, PublisherContext, Receipt, Rendered
from bot.plugins.registry import load, wanted
from bot.text.templating import make_environment
from bot.text.times import Clock


class Echo(Publisher):
    """A test plugin that renders the update body."""

    name = "echo"
    label = "Echo"

    def render(self, event: Event) -> Rendered:
        return Rendered(self.name, event.update.body)

    def publish(self, event: Event, rendered: Rendered, thread: object) -> Receipt:
        return Receipt(external_id="1")


class Broken(Echo):
    """A plugin whose constructor fails."""

    name = "broken"

    def __init__(self, context: PublisherContext) -> None:
        raise RuntimeError("missing credentials")


class NeedsSettings(Echo):
    """A plugin that is only on when configured."""

    name = "picky"

    @classmethod
    def configured(cls, config: object) -> bool:
        return False


class OutsideChannel(NeedsSettings):
    """An outside channel (it declares `sandboxable`) that is only on when configured."""

    sandboxable = True


def context(tmp_path: Path, **env: str) -> PublisherContext:
    """A publisher context from a test environment."""
    config = load_config({"HERALD_SITE_DIR": str(tmp_path), **env})
    return PublisherContext(config=config, templates=make_environment(Clock()), clock=Clock())


def test_broken_plugin_is_reported_and_skipped(tmp_path: Path) -> None:
    """A publisher that fails to start is listed in failures; the others load."""
    ctx = context(tmp_path, HERALD_PUBLISHERS="echo,broken,missing")
    registry = load(ctx.config, ctx, available={"echo": Echo, "broken": Broken})
    assert registry.names == ["echo"]
    assert "missing credentials" in registry.failures["broken"]
    assert "no such publisher" in registry.failures["missing"]


def test_default_selection_is_statuspage_plus_configured(tmp_path: Path) -> None:
    """Without HERALD_PUBLISHERS, the status page and every configured publisher are on."""
    ctx = context(tmp_path)
    classes = {"statuspage": Echo, "echo": Echo, "picky": NeedsSettings}
    assert wanted(ctx.config, classes) == ["statuspage", "echo"]


def test_sandbox_turns_on_the_public_channels(tmp_path: Path) -> None:
    """In sandbox mode the outside channels (Twitter, forum, Slack: they declare `sandboxable`) are on without
    credentials; one that does not declare it stays off."""
    ctx = context(tmp_path, HERALD_SANDBOX="1")
    classes = {"statuspage": Echo, "twitter": OutsideChannel, "forum": OutsideChannel, "picky": NeedsSettings}
    assert wanted(ctx.config, classes) == ["statuspage", "twitter", "forum"]


def test_builtins_are_declared_as_entry_points() -> None:
    """The built-in publishers are advertised in the same entry-point group as plugins."""
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="herald.publishers")}
    assert {"statuspage", "twitter", "forum", "slack"} <= names
