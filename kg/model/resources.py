"""Where the ontology and the reference data are.

They live at the top of the repository (ontology/, data/reference/); a wheel carries
copies under kg/_data/. The repository copy wins, so editing it takes effect at once.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent   # kg/
_REPO = _PACKAGE.parent


@cache
def _root(name: str) -> Path:
    for candidate in (_REPO / name, _PACKAGE / "_data" / Path(name).name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg cannot find its {name} folder (looked in {_REPO} and {_PACKAGE / '_data'})")


def ontology_file(name: str) -> Path:
    return _root("ontology") / name


def reference_file(name: str) -> Path:
    return _root("data/reference") / name
