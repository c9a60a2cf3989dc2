"""A proposed name as the drafts print it: the form written in full, capitals and diacritics restored.

"htx nong nghiep long hiep" in Long Hiệp becomes "Hợp tác xã Nông nghiệp Long Hiệp": the form's
abbreviation is spelled out (Luật Hợp tác xã 2023, Điều 50 khoản 1 điểm a), and words typed without
diacritics are written from a list of known words (content/founding/naming.yaml `words`) and the
plan's commune and province. A phrase typed with diacritics is kept as typed; a word found nowhere
keeps its letters, with a capital first letter when it was typed in lower case.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from flows.engine.content import load_yaml
from flows.engine.text import fold
from flows.founding.forms import Form

_PLACE_KINDS = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu ", "Thị trấn ")
_LONGEST = 6  # words in the longest phrase looked up


def plain_place(name: str) -> str:
    """'Xã Long Hiệp' -> 'Long Hiệp', 'Thành phố Hà Nội' -> 'Hà Nội'."""
    for kind in _PLACE_KINDS:
        if name.startswith(kind):
            return name[len(kind) :]
    return name


@functools.cache
def _known_words() -> tuple[str, ...]:
    return tuple(load_yaml("founding/naming.yaml")["words"])


def _vocabulary(places: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Folded words -> the phrase as written; places first, so that they win."""
    phrases: dict[tuple[str, ...], str] = {}
    for phrase in (*(plain_place(p) for p in places if p), *_known_words()):
        phrases.setdefault(tuple(fold(phrase).split()), phrase)
    return phrases


def _bare(word: str) -> bool:
    """Whether a typed word has no diacritics (so it may be restored)."""
    return all(unicodedata.combining(c) == 0 for c in unicodedata.normalize("NFD", word)) and "đ" not in word.lower()


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:] if word.islower() else word


def write_proper_name(words: list[str], places: Iterable[str] = ()) -> list[str]:
    """The words of a proper name, each known phrase written from the vocabulary, capitals restored."""
    vocabulary = _vocabulary(places)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            typed = words[i : i + size]
            known = vocabulary.get(tuple(fold(" ".join(typed)).split()))
            if known is None:
                continue
            known_words = known.split()
            if len(known_words) == size:
                out += known_words if all(_bare(t) for t in typed) else typed  # typed with diacritics: kept
                i += size
                break
        else:
            out.append(_capital(words[i]))
            i += 1
    if out:
        out[0] = _capital(out[0])
    return out


def written_name(name: str, form: Form | None, prefix_form: Form | None, matched: str, places: Iterable[str] = ()) -> str:
    """The cleaned name with the form in full: `prefix_form` is the form its first words name ("htx"
    as `matched`), or None; a name of another form than `form` is left as typed."""
    words = name.split(" ")
    if prefix_form is not None:
        if form is not None and prefix_form.id != form.id:
            return name
        rest = words[len(matched.split()) :]
        head = prefix_form.name_prefix
    elif form is not None:
        rest, head = words, form.name_prefix
    else:
        return name
    proper = write_proper_name(rest, places)
    return " ".join([head, *proper]) if proper else head
