"""Cue lists: the word lists rules name (`{cue: leader_heads}`), one file a list in
kg/rules/cues/<name>.txt, one entry a line, `#` starts a comment.

A line `@other` includes cue list `other`, so a concept is written in one place (the
clause verbs are the priority, operation and settling verbs and a few more). A cue list
describes how Chinese names and news prose are built (有限公司 ends a company's name, 落户
settles an organisation somewhere), never one article or one organisation.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from ..model.errors import KGError
from ..model.names import longest_suffix

RULES = Path(__file__).resolve().parent.parent / "rules"
CUES = RULES / "cues"


@cache
def cue_list(name: str) -> tuple[str, ...]:
    """The entries of a cue list in file order, longest first where they share a start."""
    path = CUES / f"{name}.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise KGError(f"unknown cue list {name!r}: no file {path}") from None
    words: list[str] = []
    for number, line in enumerate(lines, 1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if " " in word:
            raise KGError(f"{path}:{number}: one entry a line, no blanks inside ({line.strip()!r})")
        if word.startswith("@"):
            words.extend(cue_list(word[1:]))
        else:
            words.append(word)
    return tuple(dict.fromkeys(words))


def includes(name: str) -> list[str]:
    """The lists that list `name` includes with `@`."""
    path = CUES / f"{name}.txt"
    return [line.strip()[1:] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("@")]


@cache
def cue_set(name: str) -> frozenset[str]:
    return frozenset(cue_list(name))


def cue_names() -> list[str]:
    return sorted(p.stem for p in CUES.glob("*.txt"))


def ending(word: str, name: str) -> str:
    """The longest entry of cue list `name` that `word` ends with ("" if none)."""
    return longest_suffix(word, cue_set(name))
