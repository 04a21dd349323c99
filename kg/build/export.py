"""Extraction results as JSONL records in the gold schema of data/gold/ANNOTATION.md.

One record per entity a document names (`name`: the fullest form the document gives,
`aliases`: its other forms there), per fact and per figure, so any scorer can compare
them with a gold file.
"""
from __future__ import annotations

import json
from typing import IO, Annotated, Iterable, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..model.errors import KGError
from ..model.names import compare_key
from ..model.records import Entity, ResolvedDocument

NonEmpty = Annotated[str, Field(min_length=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)   # confidence, extractor … pass through
    doc: NonEmpty


class EntityRecord(_Record):
    kind: Literal["entity"]
    name: NonEmpty
    aliases: list[str] = []
    cls: NonEmpty = Field(alias="class")


class RelationRecord(_Record):
    kind: Literal["relation"]
    subject: NonEmpty
    predicate: NonEmpty
    object: NonEmpty
    evidence: str = ""


class ObservationRecord(_Record):
    kind: Literal["observation"]
    region: NonEmpty
    indicator: NonEmpty
    year: int | None = None
    value: float
    unit: str = ""
    target: bool = False
    evidence: str = ""


_RECORD = TypeAdapter(Annotated[Union[EntityRecord, RelationRecord, ObservationRecord], Field(discriminator="kind")])


def parse_record(item: object, where: str) -> dict:
    """`item` checked against the gold schema; a record that breaks it is an error naming the
    field, so a hand-edited gold or prediction file cannot be scored silently wrong."""
    try:
        record = _RECORD.validate_python(item)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors())
        raise KGError(f"{where}: not a record of the gold schema ({problems})") from None
    return record.model_dump(by_alias=True)


def document_names(resolved: ResolvedDocument, entities: dict[str, Entity]) -> dict[str, tuple[str, list[str]]]:
    """IRI → (name, aliases) as written in this document."""
    out = {}
    for iri, surfaces in resolved.surface.items():
        label = entities[iri].label
        forms: dict[str, str] = {}
        for s in sorted(surfaces, key=lambda s: (-len(compare_key(s, label)), s)):
            forms.setdefault(compare_key(s, label), s)
        name, *aliases = forms.values()
        out[iri] = (name, aliases)
    return out


def records(resolved_docs: Iterable[ResolvedDocument], entities: dict[str, Entity],
            min_confidence: float = 0.0) -> Iterator[dict]:
    for resolved in resolved_docs:
        doc = resolved.document.name
        names = document_names(resolved, entities)

        def named(iri: str) -> str:
            """The entity as this document names it; a place named only inside a longer name
            (某镇 in 某镇某磁) stands for the nearest parent the document names, since the gold
            schema's relations join entities of the same document."""
            while iri and iri not in names:
                iri = entities[iri].parent if iri in entities else ""
            return names[iri][0] if iri else ""

        for iri in sorted(names, key=lambda i: (entities[i].label, names[i][0])):
            name, aliases = names[iri]
            yield {"doc": doc, "kind": "entity", "name": name, "aliases": aliases, "class": entities[iri].label}
        seen = set()
        for fact in resolved.facts:
            subject, obj = named(fact.subject), named(fact.object)
            key = (subject, fact.predicate, obj)
            if fact.confidence < min_confidence or not subject or not obj or subject == obj or key in seen:
                continue
            seen.add(key)
            yield {"doc": doc, "kind": "relation", "subject": subject, "predicate": fact.predicate,
                   "object": obj, "evidence": fact.quote, "confidence": fact.confidence, "extractor": fact.extractor}
        for obs in resolved.observations:
            region = named(obs.region)
            if obs.confidence >= min_confidence and region:
                value = int(obs.value) if float(obs.value).is_integer() else obs.value
                yield {"doc": doc, "kind": "observation", "region": region, "indicator": obs.indicator,
                       "year": obs.year, "value": value, "unit": obs.unit, "target": obs.target,
                       "evidence": obs.quote, "confidence": obs.confidence, "extractor": obs.extractor}


def write_jsonl(items: Iterable[dict], handle: IO[str]) -> int:
    count = 0
    for item in items:
        handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        count += 1
    return count
