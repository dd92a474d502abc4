"""A fast path for update bodies that are plain prose: most status updates carry no Markdown at all.

For one line that starts with a letter and holds only letters, digits, spaces and punctuation that
CommonMark gives no meaning there, the `markdown` filter's output is exactly `<p>escaped</p>\\n`;
anything else goes to the real renderer. tests/publishers/statuspage/test_prose.py holds the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it.common.utils import escapeHtml

PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ .,;:'\"?!()/%+=@$-])*(?<! )")


def fast_markdown(render: Callable[[str], str]) -> Callable[[str], str]:
    """`render` (the markdown filter), answering plain one-line prose directly and memoising the rest."""
    slow = lru_cache(maxsize=8192)(render)

    def markdown(text: str) -> str:
        if PLAIN.fullmatch(text):
            return f"<p>{escapeHtml(text)}</p>\n"
        return slow(text)

    return markdown
