"""The one Jinja2 environment: built-in templates, an operator's override folder, and every filter."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from bot.domain.vocabulary import PAGE_INDICATORS, STATUS_LABELS, worst
from bot.text import mrkdwn, times, words
from bot.text.grammar import GENERAL_USAGE
from bot.text.locales import translations
from bot.text.markdown_html import make_renderer

_markdown = make_renderer()


def builtin_templates_dir() -> Path:
    """Where Herald's own templates are, installed editable or from a wheel."""
    return Path(str(resources.files("templates")))


def _autoescape(name: str | None) -> bool:
    return bool(name) and any(ext in str(name) for ext in (".html", ".xml", ".atom", ".rss", ".svg"))


def make_environment(clock: times.Clock, user_dir: Path | None = None, locale: str = "en") -> Environment:
    """A template environment; templates in `user_dir` override the built-in ones of the same name. Herald's own
    words are in `locale` (gettext, jinja2's i18n extension: `_()`, `{% trans %}`)."""
    loaders = [FileSystemLoader(str(user_dir))] if user_dir else []
    loaders.append(FileSystemLoader(str(builtin_templates_dir())))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=_autoescape, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                      extensions=["jinja2.ext.i18n"])
    tr = translations(locale)
    env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = locale
    times.register_filters(env, clock)
    mrkdwn.register_filters(env)  # slack_escape, mrkdwn, slack_link
    env.filters["markdown"] = _markdown.render
    env.filters["status_label"] = lambda s: tr.gettext(STATUS_LABELS.get(s, str(s).replace("_", " ").capitalize()))
    env.filters["indicator_label"] = lambda s: tr.gettext(PAGE_INDICATORS.get(s, str(s)))
    env.filters["in_words"] = lambda delta: words.duration_words(delta, locale)
    env.filters["month_title"] = lambda key: words.month_title(key, tr.gettext("MMMM YYYY"), locale)  # June 2010
    env.filters["worst"] = worst  # the worst of component statuses (a group's status)
    env.filters["title_status"] = lambda s: str(s).replace("_", " ").title()
    env.globals["general_usage"] = GENERAL_USAGE  # error templates add "help SUBCOMMAND" to it
    return env


def render(env: Environment, name: str, **context: object) -> str:
    """Render template `name` and strip the surrounding whitespace."""
    return env.get_template(name).render(**context).strip()
