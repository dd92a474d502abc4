"""HERALD_LOCALE: the page's own words in German (French, Spanish, Japanese), the operator's text and the SPEC §4
time strings unchanged; every catalog complete and loadable from the package."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages import pofile

from bot.config import load_config
from bot.errors import ConfigError
from bot.text import locales
from herald.app import create_core
from publishers.statuspage import StatuspagePublisher
from tests.publishers.statuspage.test_bars import AT, history
from tests.support import make_env, shots

TIME = re.compile(r'<time datetime="([^"]+)"( data-end="[^"]+")? data-t>(.*?)</time>', re.S)


def build(database_url: str, tmp_path: Path, locale: str) -> Path:
    """The hand-computed history built in `locale` into a folder of its own; returns the folder."""
    env = make_env(database_url, tmp_path, HERALD_LOCALE=locale, HERALD_SITE_DIR=str(tmp_path / f"site-{locale}"))
    core = create_core(load_config(env))
    if locale == "en":
        history(core)
    StatuspagePublisher(core.context).build(AT)
    core.engine.dispose()
    return tmp_path / f"site-{locale}"


@pytest.fixture
def sites(database_url: str, tmp_path: Path) -> dict[str, Path]:
    """The same history built in English and in German."""
    return {locale: build(database_url, tmp_path, locale) for locale in ("en", "de")}


def test_a_german_page_has_german_words_and_the_same_time_strings(sites: dict[str, Path]) -> None:
    """German chrome, month names and durations; the operator's titles and every SPEC time string as in English."""
    en = (sites["en"] / "index.html").read_text(encoding="utf-8")
    de = (sites["de"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in de
    for words in ("Aktueller Status", "Geplante Wartung", "Vergangene Störungen", "Zuletzt aktualisiert",
                  "Alle Systeme betriebsbereit", "99.82 % Verfügbarkeit", "Tage mit Störungen (4)",
                  "Zeiten in meiner Zeitzone zeigen", "Keine Störungen"):
        assert words in de, words
    assert "Schwerer Ausfall 3 Stunden; Eingeschränkte Leistung 30 Minuten" in de  # durations from pendulum
    assert "Current status" not in de and "Past incidents" not in de
    assert "App down" in de and "Slow checkout" in de  # the operator's own text is never translated
    assert TIME.findall(de) == TIME.findall(en) and len(TIME.findall(en)) >= 5
    month = (sites["de"] / "history/2010-11/index.html").read_text(encoding="utf-8")
    assert "<h1>November 2010</h1>" in month and "Störungsverlauf" in month
    assert '<a href="2010-11/">November 2010</a>' in (sites["de"] / "history/index.html").read_text(encoding="utf-8")
    api = "api/v2/components.json"
    assert (sites["de"] / api).read_bytes() == (sites["en"] / api).read_bytes()  # machine formats stay as they are


@pytest.mark.parametrize("locale", ["de", "fr", "es", "ja"])
def test_every_catalog_translates_every_message(locale: str) -> None:
    """No message of the template catalog is left untranslated or fuzzy, and the placeholders are kept."""
    root = Path(locales.__file__).parent
    with (root / "herald.pot").open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in pofile.read_po(handle) if m.id}
    with (root / locale / "LC_MESSAGES" / "herald.po").open("rb") as handle:
        catalog = pofile.read_po(handle, locale=locale)
    found = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    assert wanted <= set(found)
    for key in wanted:
        message = found[key]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, key
        assert all(set(re.findall(r"%\(\w+\)", s)) <= set(re.findall(r"%\(\w+\)", key)) for s in strings), key
    assert locales.translations(locale).gettext("Current status") != "Current status"


def test_month_titles_come_from_pendulum_in_each_language() -> None:
    """June 2010 in each language's own form."""
    from bot.text.words import month_title

    titles = {locale: month_title("2010-06", locales.translations(locale).gettext("MMMM YYYY"), locale)
              for locale in locales.LOCALES}
    assert titles == {"en": "June 2010", "de": "Juni 2010", "fr": "juin 2010", "es": "junio de 2010",
                      "ja": "2010年6月"}


def test_an_unknown_locale_is_refused_naming_the_setting(database_url: str, tmp_path: Path) -> None:
    """HERALD_LOCALE=xx fails at start-up and says which setting is wrong."""
    with pytest.raises(ConfigError, match="HERALD_LOCALE"):
        load_config(make_env(database_url, tmp_path, HERALD_LOCALE="xx"))


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [1000, 320], ids=["desktop", "mobile"])
def test_the_german_page_passes_axe_and_fits_a_phone(browser: Any, sites: dict[str, Path], tmp_path: Path,
                                                     dark: bool, width: int) -> None:
    """The German page: axe finds nothing, nothing scrolls sideways at 320 px; screenshots to look at."""
    from axe_playwright_python.sync_playwright import Axe  # loaded only where a browser runs

    context = browser.new_context(color_scheme="dark" if dark else "light", viewport={"width": width, "height": 900},
                                  locale="de-DE", timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto((sites["de"] / "index.html").as_uri(), wait_until="load")
    page.get_by_text("Tage mit Störungen (4)").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    name = f"bars-de-{'desktop' if width > 500 else 'mobile'}-{'dark' if dark else 'light'}.png"
    page.screenshot(path=str(shots(tmp_path) / name), full_page=True)
    context.close()


def test_feeds_and_mails_speak_the_page_language(sites: dict[str, Path]) -> None:
    """The German feeds carry German words and language tags; a German mail's own words are German."""
    from bot.text.templating import make_environment, render
    from bot.text.times import Clock

    atom = (sites["de"] / "history.atom").read_text(encoding="utf-8")
    rss = (sites["de"] / "history.rss").read_text(encoding="utf-8")
    assert '<feed xml:lang="de"' in atom and "Herald Status - Störungsverlauf" in atom and "Behoben" in atom
    assert "<language>de</language>" in rss
    assert '<feed xml:lang="en-US"' in (sites["en"] / "history.atom").read_text(encoding="utf-8")
    env = make_environment(Clock("Europe/Berlin"), locale="de")
    assert render(env, "email/subject.j2", kind="confirm", page="Acme") == "Bestätigen Sie Ihr Abonnement von Acme"
    footer = render(env, "email/_footer.txt.j2", page="Acme", components=["app"],
                    notice={"unsubscribe_url": "https://x.test/u"})
    assert footer == ("--\nSie erhalten diese Nachricht, weil Sie Acme für app abonniert haben.\n"
                      "Abbestellen: https://x.test/u")
