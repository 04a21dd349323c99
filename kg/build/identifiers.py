"""The IRIs a build has minted, kept so that later builds give the same entity the same IRI.

An extracted entity (a company, park, platform, project, policy or place that the reference
data lacks) is minted an IRI from its shortest name the first time a build sees it. Later
builds into the same folder read `identifiers.json` back: an entity whose names meet those
of a recorded IRI keeps that IRI, even when a later article gives a fuller name; when two
recorded entities turn out to be one, the older IRI stays and the other becomes an alias
(owl:sameAs, and a redirect on the server), so no IRI once published stops resolving.
Reference entities (GB/T 2260 places, taxonomy industries, listed programmes) have fixed
IRIs; an extracted IRI that comes to name one of them becomes its alias.

All functions here are pure: the pipeline reads and writes the file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from ..model.errors import KGError

FILE = "identifiers.json"


@dataclass(frozen=True, slots=True)
class Identifier:
    iri: str
    label: str                 # entity class
    names: frozenset[str]      # every compare-key name the entity has had
    minted_from: str = ""      # the name the IRI was made from ("" for reference IRIs)
    same_as: str = ""          # the IRI this one is an alias of
    seq: int = 0               # order of minting: the older IRI wins a merge


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity resolution found, before its IRI is chosen."""
    key: tuple[str, str]
    label: str
    names: frozenset[str]      # compare-key names
    minted: str                # the IRI its names would mint
    minted_from: str
    fixed: bool = False        # a reference IRI, which nothing replaces


def assign(candidates: Iterable[Candidate], previous: Mapping[str, Identifier], reserved: frozenset[str] = frozenset()
           ) -> tuple[dict[tuple[str, str], tuple[str, frozenset[str]]], dict[str, Identifier]]:
    """Each candidate's IRI and aliases, and the registry after this build (extracted IRIs and
    aliases only: reference IRIs are fixed by the reference data). No IRI is minted that is in
    `reserved` (the reference entities', mentioned or not: 某“甲”试点 minted from its quoted
    core 甲 must not take the IRI of the listed programme 甲)."""
    candidates = sorted(candidates, key=lambda c: (not c.fixed, c.label, c.minted, sorted(c.names)))
    by_name: dict[tuple[str, str], list[Identifier]] = {}
    for ident in previous.values():
        if not ident.same_as:
            for name in ident.names:
                by_name.setdefault((ident.label, name), []).append(ident)
    registry = dict(previous)
    taken = set(previous) | reserved
    claimed: set[str] = set()
    next_seq = max((i.seq for i in previous.values()), default=0) + 1
    result: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}
    for c in candidates:
        found = {i.iri: i for n in c.names for i in by_name.get((c.label, n), ()) if i.iri not in claimed}
        # The oldest IRI minted from a name the entity still has wins; the others become its aliases.
        mine = sorted(found.values(), key=lambda i: (i.minted_from not in c.names, i.seq, i.iri))
        if c.fixed:
            iri, aliases = c.minted, [i.iri for i in mine if i.iri != c.minted]
        elif mine:
            iri, aliases = mine[0].iri, [i.iri for i in mine[1:]]
        else:
            iri, aliases = _fresh(c.minted, taken), []
        claimed.update([iri, *aliases])
        taken.add(iri)
        if not c.fixed:
            old = registry.get(iri)
            registry[iri] = Identifier(iri, c.label, c.names | (old.names if old else frozenset()),
                                       old.minted_from if old else c.minted_from, "", old.seq if old else next_seq)
            next_seq += old is None
        for alias in aliases:
            registry[alias] = replace(registry[alias], same_as=iri)
        result[c.key] = (iri, frozenset(aliases))
    # Aliases recorded in earlier builds follow the IRI they pointed at to where it points now.
    for iri, ident in list(registry.items()):
        target, seen = ident.same_as, {iri}
        while target in registry and registry[target].same_as and target not in seen:
            seen.add(target)
            target = registry[target].same_as
        if target != ident.same_as:
            registry[iri] = replace(ident, same_as=target)
    return result, registry


def _fresh(iri: str, taken: set[str]) -> str:
    """`iri`, or `iri-2`, `iri-3` … when a recorded entity that is not this one holds it."""
    candidate, n = iri, 2
    while candidate in taken:
        candidate, n = f"{iri}-{n}", n + 1
    return candidate


def aliases_of(registry: Mapping[str, Identifier]) -> dict[str, str]:
    """Alias IRI → the IRI it stands for."""
    return {iri: ident.same_as for iri, ident in sorted(registry.items()) if ident.same_as}


def dumps(registry: Mapping[str, Identifier]) -> bytes:
    rows = [{"iri": i.iri, "class": i.label, "names": sorted(i.names), "minted_from": i.minted_from,
             "same_as": i.same_as, "seq": i.seq} for i in sorted(registry.values(), key=lambda i: (i.seq, i.iri))]
    # One identifier a line, each by json's C encoder: with `indent`, json falls back on its
    # pure-Python one, which took seconds on the registry of a 5,000-document corpus.
    lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    return f'{{"version": 1, "identifiers": [\n{lines}\n]}}\n'.encode("utf-8")


def loads(data: bytes, where: str) -> dict[str, Identifier]:
    try:
        rows = json.loads(data.decode("utf-8"))["identifiers"]
        return {r["iri"]: Identifier(r["iri"], r["class"], frozenset(r["names"]), r["minted_from"], r["same_as"], int(r["seq"]))
                for r in rows}
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise KGError(f"{where} is not a kg identifier registry ({exc}); move it away to mint IRIs afresh") from None
