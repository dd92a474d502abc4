"""Herald's own words in the page's language (HERALD_LOCALE): gettext catalogs managed with Babel.

The sources are `bot/text/locales/<lang>/LC_MESSAGES/herald.po` (extracted from the templates with
`pybabel extract -F babel.cfg -o bot/text/locales/herald.pot .`, merged with `pybabel update -i
bot/text/locales/herald.pot -d bot/text/locales -D herald`). They are compiled in memory when first asked for,
so a fresh clone needs no build step. Only Herald's words are translated, never an operator's text.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources

from babel.messages import mofile, pofile

LOCALES = ("en", "de", "fr", "es", "ja")


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of `locale` (English, the templates' own words, needs none)."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}: use one of {', '.join(LOCALES)}")
    if locale == "en":
        return gettext.NullTranslations()
    source = resources.files(__package__).joinpath(locale, "LC_MESSAGES", "herald.po")
    with source.open("rb") as handle:
        catalog = pofile.read_po(handle, locale=locale, domain="herald")
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
