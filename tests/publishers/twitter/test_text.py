"""Tweet length and cutting: twitter-text's own conformance cases, and our word-boundary cuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_configs

from publishers.twitter import text as tweet_text

CASES = yaml.safe_load((Path(__file__).parents[2] / "fakes" / "refs" / "twitter-text" / "validate.yml")
                       .read_text(encoding="utf-8"))["tests"]
URL = "https://status.example.test/incidents/7/"


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["description"][:60] for c in cases]


@pytest.mark.parametrize("case", CASES["WeightedTweetsCounterTest"], ids=_ids(CASES["WeightedTweetsCounterTest"]))
def test_weighted_counter_conformance_v2(case: dict[str, Any]) -> None:
    """The library counts every WeightedTweetsCounterTest case as twitter-text does (config v2)."""
    v2 = {**twitter_configs["version2"], "emoji_parsing_enabled": False}
    assert parse_tweet(case["text"], v2).asdict() == case["expected"]


@pytest.mark.parametrize("case", CASES["WeightedTweetsWithDiscountedEmojiCounterTest"],
                         ids=_ids(CASES["WeightedTweetsWithDiscountedEmojiCounterTest"]))
def test_discounted_emoji_conformance_v3(case: dict[str, Any]) -> None:
    """Our weighted_length (config v3, the one X uses) matches every emoji-discount case."""
    assert tweet_text.weighted_length(case["text"]) == case["expected"]["weightedLength"]
    assert tweet_text.fits(case["text"]) == (case["expected"]["weightedLength"] <= 280)


@pytest.mark.parametrize("case", CASES["UnicodeDirectionalMarkerCounterTest"],
                         ids=_ids(CASES["UnicodeDirectionalMarkerCounterTest"]))
def test_directional_markers_conformance(case: dict[str, Any]) -> None:
    """Directional marks count as twitter-text says."""
    assert tweet_text.weighted_length(case["text"]) == case["expected"]["weightedLength"]


def test_urls_cjk_and_emoji_weights() -> None:
    """A URL weighs 23 whatever its length, a CJK character or an emoji 2, a Latin letter 1."""
    assert tweet_text.weighted_length("https://status.example.com/incidents/7/" + "x" * 40) == 23
    # twitter-text links only known top-level domains, as X does, so a .test address counts per character
    assert tweet_text.weighted_length(URL) == len(URL)
    assert tweet_text.weighted_length("障害") == 4
    assert tweet_text.weighted_length("👩‍👩‍👧‍👦") == 2
    assert tweet_text.weighted_length("abc") == 3


def test_shorten_cuts_at_the_last_fitting_word() -> None:
    """The cut keeps whole words, adds the ellipsis, and leaves the composed text within 280."""
    body = " ".join(f"word{i:03d}" for i in range(80))
    out = tweet_text.shorten(body, lambda b: f"Heading\n{b}\n{URL}")
    assert out is not None and tweet_text.fits(out) and out.endswith(URL)
    kept = out.split("\n")[1]
    assert kept.endswith("word…") is False and kept.endswith("…") and body.startswith(kept[:-1] + " ")
    longer = f"Heading\n{' '.join(body.split()[: len(kept[:-1].split()) + 1])}…\n{URL}"
    assert not tweet_text.fits(longer)


def test_cut_with_url_when_the_template_alone_is_too_long() -> None:
    """When even an empty message is too long, the whole text is cut and the URL appended."""
    text = "Title " * 80
    out = tweet_text.cut_with_url(text, URL)
    assert tweet_text.fits(out) and out.endswith(f"… {URL}") and text.startswith(out[: -len(URL) - 2])


def test_same_post_survives_tco_links_and_entities() -> None:
    """X returns links as t.co and escapes ampersands; the text still matches what we sent."""
    ours = f"Fixed: A & B\nMore at {URL}"
    theirs = "Fixed: A &amp; B\nMore at https://t.co/AbCdEf123"
    assert tweet_text.same_post(ours, theirs)
    assert not tweet_text.same_post(ours, theirs.replace("Fixed", "Broken"))


def test_markdown_becomes_plain_tweet_text() -> None:
    """Emphasis marks go, links read `label (url)`, list items get bullets, entities are decoded."""
    markdown = "We **found** the _cause_: see [the review](https://example.com/r).\n\n- one\n- two\n\nA &amp; B"
    expected = "We found the cause: see the review (https://example.com/r).\n• one\n• two\nA & B"
    assert tweet_text.plain(markdown) == expected
    assert tweet_text.plain("<https://example.com/x>") == "https://example.com/x"
