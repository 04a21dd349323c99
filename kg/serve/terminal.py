"""Results for people at a terminal: names instead of IRIs, tables that fit the width,
words that agree with their numbers."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from rdflib import Literal, URIRef
from rdflib.term import Node

from .page_queries import page_query, with_iris
from .markup import short_name
from .results import Result
from .store import Store


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 leader', '2 leaders', '1 company' / '3 companies' with `many`."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def labels(store: Store, iris: list[str]) -> dict[str, str]:
    """The display name of each IRI that has one (its zh label first, else en, else any)."""
    wanted = sorted(set(iris))
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), 500):
        for row in store.query(with_iris(page_query("labels"), "iri", wanted[start:start + 500])).rows:
            lang = getattr(row["label"], "language", None) or ""
            found.setdefault(str(row["iri"]), {}).setdefault(lang, str(row["label"]))
    return {iri: by.get("zh") or by.get("en") or next(iter(by.values())) for iri, by in found.items()}


def cell(term: Node | None, names: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return names.get(str(term)) or short_name(str(term))
    return str(term) if isinstance(term, Literal) else f"_:{term}"


def table(result: Result, store: Store | None = None, iris: bool = False):
    """A rich Table of SELECT rows: IRIs shown by their labels (or prefixed names), unless `iris`."""
    from rich.table import Table

    names: dict[str, str] = {}
    if not iris and store is not None:
        names = labels(store, [str(t) for row in result.rows for t in row.values() if isinstance(t, URIRef)])
    out = Table(show_lines=False, header_style="bold", pad_edge=False, expand=False)
    for variable in result.variables:
        out.add_column(variable, overflow="fold")
    for row in result.rows:
        out.add_row(*[(str(row[v]) if v in row else "") if iris else cell(row.get(v), names) for v in result.variables])
    return out


@contextmanager
def progress_bar(what: str):
    """A `progress(done, total)` callable drawing a bar on standard error, with the rate and
    the time left; silent where standard error is not a terminal (logs, CI)."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.console import Console

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
                   TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), console=console, transient=True, disable=not sys.stderr.isatty())
    task = bar.add_task(what, total=None, rate="")

    def progress(done: int, total: int) -> None:
        speed = bar.tasks[0].speed
        bar.update(task, completed=done, total=total, rate=f"{speed:.1f} docs/s" if speed else "")

    with bar:
        yield progress
