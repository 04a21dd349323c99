"""Results for people at a terminal: names instead of IRIs, tables that fit the width,
words that agree with their numbers."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from itertools import islice
from typing import Iterable

from rdflib import Literal, URIRef
from rdflib.term import Node

from .page_queries import page_query, with_iris
from .markup import short_name
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


TABLE_BLOCK = 1000   # rows printed at a time: a result is never held whole to be shown


def print_table(console, variables: list[str], rows: Iterable[dict], store: Store | None = None,
                iris: bool = False) -> int:
    """SELECT rows as a rich table, IRIs shown by their labels (or prefixed names) unless
    `iris`; the number of rows. Rows are printed a block at a time as the engine gives them.
    A result of one block is one framed table; a longer one comes as unframed blocks whose
    columns keep the widths the first block set, so they read as one table."""
    from rich.cells import cell_len

    rows = iter(rows)
    block, following = list(islice(rows, TABLE_BLOCK)), list(islice(rows, TABLE_BLOCK))
    widths = None
    count, first = 0, True
    while block:
        cells = _cells(variables, block, store, iris)
        if following and widths is None:
            widths = [max([cell_len(v)] + [cell_len(row[i]) for row in cells]) for i, v in enumerate(variables)]
        console.print(_table(variables, cells, widths, header=first))
        count += len(block)
        block, following, first = following, list(islice(rows, TABLE_BLOCK)), False
    return count


def _cells(variables: list[str], rows: list[dict], store: Store | None, iris: bool) -> list[list[str]]:
    if iris:
        return [[str(row[v]) if v in row else "" for v in variables] for row in rows]
    names = labels(store, [str(t) for row in rows for t in row.values() if isinstance(t, URIRef)]) if store else {}
    return [[cell(row.get(v), names) for v in variables] for row in rows]


def _table(variables: list[str], cells: list[list[str]], widths: list[int] | None, header: bool):
    from rich.table import Table

    out = Table(show_lines=False, header_style="bold", pad_edge=False, expand=False, show_header=header,
                show_edge=widths is None)
    for i, variable in enumerate(variables):
        out.add_column(variable, overflow="fold", width=widths[i] if widths else None)
    for row in cells:
        out.add_row(*row)
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
