"""Text from people, on its way in and on its way to a terminal: control characters never pass.

`clean` is applied to every piece of text Herald accepts (the grammar's parse, the modal form
reader): it refuses text that is not valid Unicode (a lone surrogate is what an argv byte that is
not UTF-8 becomes, and what a JSON `\\ud800` escape gives) and removes every C0 and C1 control
character and DEL except newline and tab, and the bidirectional embedding, override and isolate
characters (U+202A–U+202E, U+2066–U+2069) that make `exe.png` out of `gnp.exe`. ESC, BEL and CSI (U+009B)
would otherwise reach feeds, where XML 1.0 forbids them, and the operator's terminal, where they are commands.

`visible` is the output side: every line `herald` prints passes through it, so text stored before
this rule (or typed into a template override) shows as `\\x1b` instead of driving the terminal.
"""

from __future__ import annotations

import re

from bot.errors import UsageError

# C0 controls other than \t and \n, DEL, and the C1 controls U+0080–U+009F.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF): one ESC in
# a stored message would make every feed reader reject the whole feed, and HTML calls them parse errors.
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """`text` without control characters (newline and tab stay); invalid UTF-8 raises UsageError."""
    if _SURROGATE.search(text):
        raise UsageError("the text is not valid UTF-8")
    return BIDI.sub("", CONTROL.sub("", text.replace("\r\n", "\n")))


def visible(text: str) -> str:
    """`text` with each control character (newline and tab aside) written as a visible `\\x1b`-style escape."""
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    text = BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, whatever a stored message carries (pages and feeds)."""
    return XML_INVALID.sub("", text)
