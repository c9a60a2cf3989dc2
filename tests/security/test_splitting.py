"""Splitting a long message for sending never cuts inside an entity (&amp;) or a tag (<b>, <a href="…">)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.render import split_html, split_text

WHOLE = re.compile(r"<[^<>]*>|&(?:#[0-9]+|[A-Za-z]+);")
TAG = re.compile(r"<(/?)(b|i|u|s|code|pre|a)(?:\s[^<>]*)?>")

pieces = st.one_of(
    st.text(alphabet="abcdeghiklmnoptuvxyàáạăâđêôơư", min_size=1, max_size=30),
    st.sampled_from([" ", "  ", "\n", "\n\n", ". ", ", ", "&amp;", "&lt;", "&gt;", "&#39;", "&quot;"]),
)


@st.composite
def html_texts(draw) -> str:
    """Telegram HTML as our templates make it: words, entities, properly nested tags, long runs without spaces."""
    def run(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(1, 12))):
            kind = draw(st.integers(0, 9))
            if kind == 0 and depth < 3:
                name = draw(st.sampled_from(["b", "i", "u", "code"]))
                parts.append(f"<{name}>{run(depth + 1)}</{name}>")
            elif kind == 1 and depth < 3:
                url = "https://htx.example/" + "x" * draw(st.integers(1, 80))
                parts.append(f'<a href="{url}">{run(depth + 1)}</a>')
            elif kind == 2:
                parts.append(draw(st.sampled_from(["a&amp;", "&lt;b&gt;", "x"])) * draw(st.integers(1, 400)))
            else:
                parts.append(draw(pieces))
        return "".join(parts)
    return run(0)


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WHOLE.finditer(text)]


def _cuts(text: str, parts: list[str]) -> list[int]:
    """Where in the text each piece ends (pieces are the text in order, whitespace at the cuts dropped)."""
    cuts, pos = [], 0
    for part in parts:
        pos = text.index(part, pos) + len(part)
        cuts.append(pos)
    return cuts


def _balanced(piece: str) -> bool:
    stack = []
    for m in TAG.finditer(piece):
        if not m.group(1):
            stack.append(m.group(2))
        elif not stack or stack.pop() != m.group(2):
            return False
    return not stack


@settings(max_examples=200, deadline=None)
@given(html_texts(), st.integers(150, 400))  # longer than the longest tag (a link)
def test_plain_splitting_never_cuts_inside_a_tag_or_an_entity(text, limit):
    parts = split_text(text, limit)
    spans = _spans(text)
    for cut in _cuts(text, parts):
        assert not any(start < cut < end for start, end in spans), (cut, text[cut - 10:cut + 10])
    assert all(len(p) <= limit for p in parts)


@settings(max_examples=200, deadline=None)
@given(html_texts(), st.integers(400, 1000))
def test_html_pieces_are_short_enough_whole_and_balanced(text, limit):
    for piece in split_html(text, limit):
        assert len(piece) <= limit
        assert not re.search(r"&[#A-Za-z0-9]*$", piece) and not re.search(r"^[#A-Za-z0-9]*;", piece)
        assert not re.search(r"[<>]", re.sub(r"<[^<>]*>", "", piece)), piece  # no half tag
        assert _balanced(piece), piece


def test_a_long_run_of_entities_without_spaces_is_cut_between_them():
    text = "Giá: " + "a&amp;" * 1500  # 9,005 characters, no space after the first
    parts = split_html(text, 4096)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert all(re.fullmatch(r"(?:Giá: )?(?:a|&amp;)+", p) for p in parts), [p[-12:] for p in parts]
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
