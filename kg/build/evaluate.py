"""Score an extraction against gold files by the rules of data/gold/ANNOTATION.md ("Scoring").

Scores are computed per document and summed (micro-averaged). Names are compared after
`names.compare_key` (full-width → half-width, quotes and white space removed, Industry
names without a trailing 产业链/产业集群/产业/行业). An extracted record counts towards
precision when it matches some gold record, a gold record towards recall when some
extracted record matches it; identical extracted records are counted once. Relations are
compared against the closure of the other side (leadsChain ⇒ inIndustry; partOf is
transitive; locatedIn ∘ partOf ⇒ locatedIn).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..model.errors import KGError
from .export import parse_record
from ..model.names import compare_key
from ..model.vocab import ENTITY_CLASSES, RELATION_PREDICATES

Record = dict


@dataclass
class Score:
    matched_predicted: int = 0
    predicted: int = 0
    matched_gold: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched_predicted / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "Score") -> None:
        self.matched_predicted += other.matched_predicted
        self.predicted += other.predicted
        self.matched_gold += other.matched_gold
        self.gold += other.gold

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "predicted": self.predicted, "gold": self.gold,
                "matched_predicted": self.matched_predicted, "matched_gold": self.matched_gold}


@dataclass
class ErrorItem:
    doc: str
    kind: str           # entity | relation | observation
    side: str           # "false hit" (extracted, not in gold) | "miss" (gold, not extracted)
    cause: str
    record: Record


@dataclass
class Report:
    entities: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    entities_untyped: Score = field(default_factory=Score)
    relations: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    observations: Score = field(default_factory=Score)
    errors: list[ErrorItem] = field(default_factory=list)

    def overall(self, table: dict[str, Score]) -> Score:
        total = Score()
        for score in table.values():
            total.add(score)
        return total

    def summary_line(self) -> str:
        return (f"entities F1 {self.overall(self.entities).f1:.2f} · relations F1 "
                f"{self.overall(self.relations).f1:.2f} · observations F1 {self.observations.f1:.2f}")

    def as_dict(self) -> dict:
        return {
            "entities": {"overall": self.overall(self.entities).as_dict(),
                         "untyped": self.entities_untyped.as_dict(),
                         "by_class": {k: v.as_dict() for k, v in sorted(self.entities.items())}},
            "relations": {"overall": self.overall(self.relations).as_dict(),
                          "by_predicate": {k: v.as_dict() for k, v in sorted(self.relations.items())}},
            "observations": self.observations.as_dict(),
            "summary": self.summary_line(),
        }


# ---------------------------------------------------------------------- reading
def read_jsonl(path: Path) -> list[Record]:
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KGError(f"{path}:{number}: not a JSON object ({exc.msg})") from exc
            records.append(parse_record(item, f"{path}:{number}"))
    return records


def read_folder(folder: Path) -> list[Record]:
    folder = Path(folder)
    if not folder.is_dir():
        raise KGError(f"gold folder not found: {folder}")
    return [r for path in sorted(folder.glob("*.jsonl")) for r in read_jsonl(path)]


# ---------------------------------------------------------------------- scoring
def score(predicted: Iterable[Record], gold: Iterable[Record], docs: Iterable[str] | None = None) -> Report:
    """Score `predicted` against `gold`, document by document.

    `docs` limits scoring to these documents (default: every document of the gold).
    """
    by_doc_pred: dict[str, list[Record]] = defaultdict(list)
    by_doc_gold: dict[str, list[Record]] = defaultdict(list)
    for record in predicted:
        by_doc_pred[record["doc"]].append(record)
    for record in gold:
        by_doc_gold[record["doc"]].append(record)
    report = Report()
    for doc in sorted(set(docs) if docs is not None else set(by_doc_gold)):
        _score_document(doc, by_doc_pred.get(doc, []), by_doc_gold.get(doc, []), report)
    return report


def _kind(records: list[Record], kind: str) -> list[Record]:
    unique = {json.dumps(r, sort_keys=True, ensure_ascii=False): r for r in records if r.get("kind") == kind}
    return list(unique.values())


class _Names:
    """Name keys of the entities of one side of one document."""

    def __init__(self, entities: list[Record]) -> None:
        self.by_name: dict[str, list[set[str]]] = defaultdict(list)
        self.classes: dict[str, str] = {}
        for entity in entities:
            keys = entity_keys(entity)
            for name in (entity["name"], *entity.get("aliases", [])):
                self.by_name[name].append(keys)
                self.classes.setdefault(name, entity.get("class", ""))

    def keys(self, name: str, label: str = "") -> frozenset[str]:
        found = self.by_name.get(name)
        keys = set().union(*found) if found else set()
        keys.add(compare_key(name, label or self.classes.get(name, "")))
        return frozenset(keys)


def entity_keys(entity: Record) -> set[str]:
    label = entity.get("class", "")
    return {compare_key(n, label) for n in (entity["name"], *entity.get("aliases", []))}


def _score_document(doc: str, pred: list[Record], gold: list[Record], report: Report) -> None:
    pred_entities, gold_entities = _kind(pred, "entity"), _kind(gold, "entity")
    _score_entities(doc, pred_entities, gold_entities, report)
    pred_names, gold_names = _Names(pred_entities), _Names(gold_entities)
    _score_relations(doc, _kind(pred, "relation"), _kind(gold, "relation"), pred_names, gold_names, report)
    _score_observations(doc, _kind(pred, "observation"), _kind(gold, "observation"), pred_names, gold_names, report)


def _score_entities(doc: str, pred: list[Record], gold: list[Record], report: Report) -> None:
    pred_keys = [entity_keys(e) for e in pred]
    gold_keys = [entity_keys(e) for e in gold]
    for label in ENTITY_CLASSES:
        report.entities[label]  # every class appears in the report
    _count_entities(doc, pred, pred_keys, gold, gold_keys, "predicted", "false hit", "not in gold", report)
    _count_entities(doc, gold, gold_keys, pred, pred_keys, "gold", "miss", "not extracted", report)


def _count_entities(doc: str, side: list[Record], side_keys: list[set[str]], other: list[Record],
                    other_keys: list[set[str]], counted: str, error: str, absent: str, report: Report) -> None:
    """Count one side's entities (predicted or gold) and those the other side matches."""
    for entity, keys in zip(side, side_keys):
        label = entity.get("class", "")
        typed = any(keys & o and e.get("class") == label for e, o in zip(other, other_keys))
        untyped = any(keys & o for o in other_keys)
        for tally, matched in ((report.entities[label], typed), (report.entities_untyped, untyped)):
            setattr(tally, counted, getattr(tally, counted) + 1)
            setattr(tally, "matched_" + counted, getattr(tally, "matched_" + counted) + matched)
        if not typed:
            cause = "wrong class" if untyped else _boundary_or(keys, other_keys, absent)
            report.errors.append(ErrorItem(doc, "entity", error, cause, entity))


def _boundary_or(keys: set[str], others: list[set[str]], default: str) -> str:
    for other in others:
        if any(a in b or b in a for a in keys for b in other if a and b):
            return "boundary"
    return default


_RANGE_LABEL = {"leadsChain": "Industry", "inIndustry": "Industry", "prioritizes": "Industry", "targets": "Industry"}


def _endpoints(relation: Record, names: _Names) -> tuple[frozenset[str], str, frozenset[str]]:
    predicate = relation["predicate"]
    return (names.keys(relation["subject"]), predicate,
            names.keys(relation["object"], _RANGE_LABEL.get(predicate, "")))


def closure(triples: set[tuple[frozenset[str], str, frozenset[str]]]) -> set[tuple[frozenset[str], str, frozenset[str]]]:
    """leadsChain ⇒ inIndustry; partOf transitive; locatedIn ∘ partOf ⇒ locatedIn."""
    closed = set(triples)
    closed |= {(s, "inIndustry", o) for s, p, o in triples if p == "leadsChain"}
    while True:
        part_of = [(s, o) for s, p, o in closed if p == "partOf"]
        new = set()
        for s, p, o in closed:
            if p in ("partOf", "locatedIn"):
                for a, b in part_of:
                    if o & a:
                        new.add((s, p, b))
        if new <= closed:
            return closed
        closed |= new


def _holds(triple, closed) -> bool:
    s, p, o = triple
    return any(p == q and s & a and o & b for a, q, b in closed)


def _score_relations(doc, pred, gold, pred_names, gold_names, report: Report) -> None:
    pred_triples = [_endpoints(r, pred_names) for r in pred]
    gold_triples = [_endpoints(r, gold_names) for r in gold]
    gold_closed, pred_closed = closure(set(gold_triples)), closure(set(pred_triples))
    for predicate in RELATION_PREDICATES:
        report.relations[predicate]
    pred_entity_keys = set().union(*(k for ks in pred_names.by_name.values() for k in ks)) if pred_names.by_name else set()
    for relation, triple in zip(pred, pred_triples):
        score = report.relations[relation["predicate"]]
        score.predicted += 1
        if _holds(triple, gold_closed):
            score.matched_predicted += 1
        else:
            same_ends = any(triple[0] & s and triple[2] & o for s, _, o in gold_closed)
            report.errors.append(ErrorItem(doc, "relation", "false hit",
                                           "wrong predicate" if same_ends else "not in gold", relation))
    for relation, triple in zip(gold, gold_triples):
        score = report.relations[relation["predicate"]]
        score.gold += 1
        if _holds(triple, pred_closed):
            score.matched_gold += 1
            continue
        s, _, o = triple
        if not (s & pred_entity_keys and o & pred_entity_keys):
            cause = "endpoint not extracted"
        elif any(s & a and o & b for a, _, b in pred_closed):
            cause = "wrong predicate"
        else:
            cause = "not extracted"
        report.errors.append(ErrorItem(doc, "relation", "miss", cause, relation))


def _observation_match(a: Record, a_names: _Names, b: Record, b_names: _Names) -> bool:
    if not (a_names.keys(a["region"]) & b_names.keys(b["region"])):
        return False
    if abs(float(a["value"]) - float(b["value"])) > 1e-9 * max(1.0, abs(float(b["value"]))):
        return False
    if compare_key(str(a["unit"])) != compare_key(str(b["unit"])) or bool(a["target"]) != bool(b["target"]):
        return False
    return a.get("year") is None or b.get("year") is None or int(a["year"]) == int(b["year"])


def _score_observations(doc, pred, gold, pred_names, gold_names, report: Report) -> None:
    score = report.observations
    for obs in pred:
        score.predicted += 1
        if any(_observation_match(obs, pred_names, g, gold_names) for g in gold):
            score.matched_predicted += 1
        else:
            near = any(abs(float(obs["value"]) - float(g["value"])) < 1e-9 for g in gold)
            report.errors.append(ErrorItem(doc, "observation", "false hit",
                                           "value in gold, other fields differ" if near else "not in gold", obs))
    for obs in gold:
        score.gold += 1
        if any(_observation_match(p, pred_names, obs, gold_names) for p in pred):
            score.matched_gold += 1
        else:
            near = any(abs(float(p["value"]) - float(obs["value"])) < 1e-9 for p in pred)
            report.errors.append(ErrorItem(doc, "observation", "miss",
                                           "value extracted, other fields differ" if near else "not extracted", obs))


# ---------------------------------------------------------------------- printing
def format_report(report: Report) -> str:
    lines = []

    def table(title: str, rows: dict[str, Score], total: Score) -> None:
        lines.append(f"{title:<22} {'P':>6} {'R':>6} {'F1':>6} {'pred':>6} {'gold':>6}")
        for name, s in rows.items():
            if s.predicted or s.gold:
                lines.append(f"  {name:<20} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f} {s.predicted:6d} {s.gold:6d}")
        lines.append(f"  {'overall':<20} {total.precision:6.2f} {total.recall:6.2f} {total.f1:6.2f} "
                     f"{total.predicted:6d} {total.gold:6d}")
        lines.append("")

    table("entities (typed)", dict(report.entities), report.overall(report.entities))
    u = report.entities_untyped
    lines.append(f"entities (untyped)     {u.precision:6.2f} {u.recall:6.2f} {u.f1:6.2f} {u.predicted:6d} {u.gold:6d}")
    lines.append("")
    table("relations", dict(report.relations), report.overall(report.relations))
    o = report.observations
    lines.append(f"observations           {o.precision:6.2f} {o.recall:6.2f} {o.f1:6.2f} {o.predicted:6d} {o.gold:6d}")
    lines.append("")
    lines.append(report.summary_line())
    return "\n".join(lines)


def format_errors(report: Report) -> str:
    """Errors grouped by document, then by kind and cause, largest groups first."""
    by_doc: dict[str, list[ErrorItem]] = defaultdict(list)
    for error in report.errors:
        by_doc[error.doc].append(error)
    lines = []
    causes: dict[tuple[str, str, str], int] = defaultdict(int)
    for error in report.errors:
        causes[(error.kind, error.side, error.cause)] += 1
    lines.append("error groups (all documents):")
    for (kind, side, cause), n in sorted(causes.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {n:4d}  {kind:<11} {side:<9} {cause}")
    by_rule: dict[str, int] = defaultdict(int)
    for error in report.errors:
        if error.side == "false hit" and error.record.get("extractor"):
            by_rule[error.record["extractor"]] += 1
    if by_rule:
        lines.append("")
        lines.append("false hits by extractor (rule id):")
        for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {n:4d}  {rule}")
    for doc in sorted(by_doc):
        lines.append("")
        lines.append(f"== {doc}")
        groups: dict[tuple[str, str, str], list[ErrorItem]] = defaultdict(list)
        for error in by_doc[doc]:
            groups[(error.kind, error.side, error.cause)].append(error)
        for (kind, side, cause), items in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
            lines.append(f"  -- {kind} {side}: {cause} ({len(items)})")
            for item in items:
                lines.append("     " + _describe(item.record))
    return "\n".join(lines)


def _describe(record: Record) -> str:
    kind = record.get("kind")
    if kind == "entity":
        aliases = f" ({', '.join(record.get('aliases', []))})" if record.get("aliases") else ""
        return f"{record.get('class')}: {record['name']}{aliases}"
    if kind == "relation":
        rule = f" [{record['extractor']}]" if record.get("extractor") else ""
        return f"{record['subject']} {record['predicate']} {record['object']}{rule}  « {record.get('evidence', '')[:60]} »"
    target = " target" if record.get("target") else ""
    return (f"{record['region']} {record.get('indicator', '')} {record.get('year')} = {record['value']} "
            f"{record['unit']}{target}  « {record.get('evidence', '')[:50]} »")
