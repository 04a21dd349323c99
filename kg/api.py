"""The views as pandas DataFrames, for notebooks and other Python code.

Every function takes a store (`kg.open_store("build")`) or the folder `kg build` wrote, and
returns one view as a DataFrame; `view=` picks another view of the same answer.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .serve.store import Store, open_store

if TYPE_CHECKING:
    import pandas as pd


def _store(store: Store | str | Path) -> Store:
    return open_store(Path(store)) if isinstance(store, (str, Path)) else store


def _pick(tables: dict, view: str):
    if view not in tables:
        raise ValueError(f"no view {view!r}; one of {', '.join(tables)}")
    return tables[view]


def chain(store: Store | str | Path, industry: str, city: str | None = None, view: str = "companies",
          as_of: str | None = None) -> "pd.DataFrame":
    """A chain's companies segment by segment (view: segments, companies, platforms, gaps)."""
    from .serve.chain import chain as chain_view, chain_frames

    return _pick(chain_frames(chain_view(_store(store), industry, city, as_of)), view)


def place(store: Store | str | Path, name: str, view: str = "chains", as_of: str | None = None) -> "pd.DataFrame":
    """A place's profile (view: chains, leaders, platforms, programmes, figures)."""
    from .serve.place import place as place_view, place_frames

    return _pick(place_frames(place_view(_store(store), name, as_of)), view)


def compare(store: Store | str | Path, names: Iterable[str], as_of: str | None = None) -> "pd.DataFrame":
    """Two or more places side by side on the same rows."""
    from .serve.place import compare as compare_view, compare_frame

    return compare_frame(compare_view(_store(store), list(names), as_of))


def figures(store: Store | str | Path, name: str, indicator: str | None = None) -> "pd.DataFrame":
    """A place's figures as series: one row per indicator, region, year and kind (actual or target)."""
    from .serve.figures import series, series_frame

    return series_frame(series(_store(store), name, indicator))


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese with an installed CJK font (not boxes); returns its family."""
    from .serve.figures import use_cjk_font as use

    return use()


def query_df(store: Store | str | Path, sparql: str, bindings: dict | None = None) -> "pd.DataFrame":
    """A SPARQL SELECT as a DataFrame: one column per variable, literals as Python values."""
    import pandas as pd
    from rdflib import Literal

    result = _store(store).query(sparql, bindings)
    if result.kind != "select":
        raise ValueError("query_df takes a SELECT query")
    convert = lambda term: term.toPython() if isinstance(term, Literal) else str(term)  # noqa: E731
    return pd.DataFrame([{v: convert(row[v]) if v in row else None for v in result.variables} for row in result.rows],
                        columns=result.variables)
