"""The plain-prose fast path renders exactly what the markdown filter renders."""

from __future__ import annotations

import random

from bot.text.templating import builtin_templates_dir, make_environment
from bot.text.times import Clock
from publishers.statuspage.prose import PLAIN, fast_markdown

TRICKY = ["1. a list", "- a list", "# heading", "a *b*", "a_b_c", "a `c`", "a [l](x)", "a <b>", "a &amp; b",
          "a &copy; b", "a\\*b", "a\nb", "a  ", " a", "a ~~b~~", "a\tb", "---", "A http://x.y", "a | b",
          "Hello \"world\" it's fine!", "Ünïcödé prose, 50% (roughly) done: see https://x.y/z?a=b.",
          "We are investigating reports of a problem and will post an update as soon as we know more."]


def test_fast_path_matches_the_filter_on_tricky_and_random_text() -> None:
    """For tricky inputs and 3,000 random strings, the fast path and the real filter agree exactly."""
    real = make_environment(Clock(), builtin_templates_dir()).filters["markdown"]
    fast = fast_markdown(real)
    rng = random.Random(7)
    alphabet = "abcXYZé 019.,;:'\"?!()/%+=@$-*_[]<>&#`~\\|\n\t"
    plain = "abZé9 .,;:'\"?!()/%+=@$-"
    samples = TRICKY + ["".join(rng.choice(chars) for _ in range(rng.randint(1, 30)))
                        for chars in (alphabet, plain) for _ in range(1500)]
    assert [fast(s) for s in samples] == [real(s) for s in samples]
    assert sum(1 for s in samples if PLAIN.fullmatch(s)) > 200  # the fast path is really exercised
