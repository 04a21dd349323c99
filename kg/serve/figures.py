"""Figures as series: one indicator of one region over the years, actual and target apart.

Indicators are lined up by their code (kg:indicatorCode, data/reference/indicators.ttl); a graph
built before the codes existed gets them from the wording here, the same way. A point stated by
several articles is one point with all its sources; two different values for the same indicator,
region, year and kind are both kept and marked as a conflict.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.codes import code_lists, indicator_code, unit_code
from ..model.errors import KGError
from . import frames, lookup
from .lookup import Source
from .query import resolve_term
from .store import Store

if TYPE_CHECKING:
    import pandas as pd

_FIGURES = """SELECT ?region ?regionName ?code ?wording ?year ?value ?unit ?unitCode ?target ?quote ?doc ?title ?date ?nb
WHERE { {values}
  ?region kg:partOf* ?place ; rdfs:label ?regionName . FILTER (lang(?regionName) = "zh")
  ?obs kg:region ?region ; kg:indicator ?wording ; kg:value ?value ; kg:unit ?unit ; kg:target ?target ;
       kg:quote ?quote ; prov:wasDerivedFrom ?d .
  ?d schema:name ?doc .
  OPTIONAL { ?obs kg:indicatorCode ?code } OPTIONAL { ?obs kg:unitCode ?unitCode } OPTIONAL { ?obs kg:year ?year }
  OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:issued ?date } OPTIONAL { ?d kg:notBefore ?nb }
}"""


@dataclass
class Point:
    region: str
    indicator: str          # code (kg.model.codes)
    indicator_name: str     # the code's zh name
    year: int | None
    kind: str               # actual | target
    value: float
    unit: str
    unit_code: str
    wordings: list[str] = field(default_factory=list)    # how the articles put it
    quotes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    conflict: bool = False  # another value for the same indicator, region, year and kind


@dataclass
class Series:
    place: str
    place_iri: str
    points: list[Point]

    def lines(self) -> dict[tuple[str, str, str, str], list[Point]]:
        """(indicator, region, kind, unit) → its points with a year, in year order."""
        out: dict[tuple[str, str, str, str], list[Point]] = defaultdict(list)
        for p in self.points:
            if p.year is not None:
                out[(p.indicator, p.region, p.kind, p.unit)].append(p)
        return {k: sorted(v, key=lambda p: p.year) for k, v in sorted(out.items())}


def _code_names() -> dict[str, str]:
    return {key: code.name for key, code in code_lists().indicators.items()}


def series(store: Store, place: str, indicator: str | None = None, as_of: str | None = None) -> Series:
    """The figures of a place and the places in it, as points of series; `indicator` keeps one
    indicator (its code, its name, or a word of the articles' wording: 增加值, 营收 …)."""
    place_iri = str(resolve_term(store, place, "place"))
    names = _code_names()
    merged: dict[tuple, Point] = {}
    for row in lookup.chunked(store, _FIGURES, "place", [place_iri]):
        source = Source(str(row["doc"]), str(row.get("title", "")), str(row.get("date", "")), str(row.get("nb", "")))
        if as_of and source.sort_date and source.sort_date > as_of:
            continue
        wording, unit = str(row["wording"]), str(row["unit"])
        code = str(row["code"]).rsplit("/", 1)[-1] if "code" in row else indicator_code(wording, unit)
        ucode = str(row["unitCode"]).rsplit("/", 1)[-1] if "unitCode" in row else unit_code(unit)
        year = int(row["year"]) if "year" in row else None
        kind = "target" if str(row["target"]).lower() == "true" else "actual"
        value = float(row["value"])
        key = (str(row["regionName"]), code, year, kind, value, unit)
        point = merged.setdefault(key, Point(key[0], code, names.get(code, code), year, kind, value, unit, ucode))
        for items, item in ((point.wordings, wording), (point.quotes, str(row["quote"])), (point.sources, source)):
            if item not in items:
                items.append(item)
    points = list(merged.values())
    if indicator:
        points = [p for p in points if _matches(p, indicator)]
        if not points and merged:
            known = sorted({p.indicator_name for p in merged.values()})
            raise KGError(f"no figure of {place} matches indicator {indicator!r}; it has: {'、'.join(known)}")
    seen: dict[tuple, int] = defaultdict(int)
    for p in points:
        seen[(p.region, p.indicator, p.year, p.kind, p.unit)] += 1
    for p in points:
        p.conflict = p.year is not None and seen[(p.region, p.indicator, p.year, p.kind, p.unit)] > 1
        p.sources.sort(key=lambda s: (s.sort_date or "9999", s.doc))
    name = lookup_name(store, place_iri)
    points.sort(key=lambda p: (p.indicator, p.region != name, p.region, p.kind,
                               p.year if p.year is not None else 9999, p.value))
    return Series(name, place_iri, points)


def lookup_name(store: Store, iri: str) -> str:
    rows = lookup.chunked(store, 'SELECT ?name WHERE { {values} ?e rdfs:label ?name . FILTER (lang(?name) = "zh") }',
                          "e", [iri])
    return min((str(r["name"]) for r in rows), default=iri)


def _matches(point: Point, wanted: str) -> bool:
    return wanted in (point.indicator, point.indicator_name) or wanted in point.indicator_name or \
        any(wanted in w for w in point.wordings)


COLUMNS = ["indicator", "indicator_name", "region", "year", "kind", "value", "unit", "unit_code", "conflict",
           "wording", "quote", "sources"]


def series_frame(result: Series) -> "pd.DataFrame":
    return frames.frame([{"indicator": p.indicator, "indicator_name": p.indicator_name, "region": p.region,
                          "year": p.year, "kind": p.kind, "value": p.value, "unit": p.unit, "unit_code": p.unit_code,
                          "conflict": p.conflict, "wording": " | ".join(p.wordings), "quote": p.quotes[0],
                          "sources": "; ".join(s.doc + (f" ({s.when})" if s.when else "") for s in p.sources)}
                         for p in result.points], COLUMNS)


def format_series(result: Series) -> str:
    table = series_frame(result)[["indicator_name", "region", "year", "kind", "value", "unit", "sources"]]
    table = table.assign(year=[("" if y != y or y is None else str(int(y))) for y in table["year"]],
                         value=[f"{v:g}" for v in table["value"]])
    head = f"{result.place}: {len(result.points)} figures, {len({p.indicator for p in result.points})} indicators"
    return head + "\n" + frames.table_text(table) if result.points else head


# ---------------------------------------------------------------------- the chart
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC")
_FONT_FILES = ("wqy-microhei", "wqy-zenhei", "notosanscjk", "notosanssc", "sourcehansans", "droidsansfallback")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
GENERIC = ("level", "growth", "share", "other")
INSTALL_HINT = "apt-get install fonts-wqy-microhei (make install does it where it can)"


def cjk_font() -> str:
    """The family of an installed font with Chinese glyphs, made known to matplotlib (its font cache
    may predate the font); raises with the package to install when there is none."""
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name in CJK_FAMILIES and _has_glyphs(entry.fname):
            return entry.name
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf", ".otc") and \
                    any(k in path.name.lower().replace("-", "").replace("_", "") for k in
                        (f.replace("-", "") for f in _FONT_FILES)) and _has_glyphs(str(path)):
                font_manager.fontManager.addfont(str(path))
                return font_manager.FontProperties(fname=str(path)).get_name()
    raise KGError(f"no font with Chinese glyphs is installed, so a chart would show boxes: {INSTALL_HINT}")


def _has_glyphs(path: str, sample: str = "金华台州数字经济增加值") -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in sample)


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese (for notebooks: call once before plotting)."""
    import matplotlib

    family = cjk_font()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, *matplotlib.rcParams["font.sans-serif"]]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def chart(result: Series, path: Path, max_panels: int = 6) -> Path:
    """The series as small multiples, one panel per indicator and unit: a line per region, actual
    solid, target dashed. PNG or SVG by the file's suffix; written atomically."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise KGError(f"a chart is written as .png or .svg, not {Path(path).name}")
    lines = result.lines()
    panels: dict[tuple[str, str], list] = defaultdict(list)
    for (code, region, kind, unit), points in lines.items():
        if code not in GENERIC:   # 增速 or 其他指标 of unnamed quantities are no series
            panels[(code, unit)].append((region, kind, points))
    if not panels:
        raise KGError(f"{result.place} has no figure of a named indicator with a year to draw")
    years = lambda key: len({p.year for _, _, points in panels[key] for p in points})  # noqa: E731
    ranked = sorted(panels, key=lambda k: (-years(k), -len(panels[k]), k))[:max_panels]
    family = use_cjk_font()
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [family]}):
        columns = 2 if len(ranked) > 1 else 1
        rows = (len(ranked) + columns - 1) // columns
        figure, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 3.4 * rows), squeeze=False)
        names = _code_names()
        for ax, key in zip(axes.flat, ranked):
            code, unit = key
            shown: set[int] = set()
            for region, kind, points in sorted(panels[key]):
                style = dict(linestyle="--", marker="o", markerfacecolor="white") if kind == "target" else \
                    dict(linestyle="-", marker="o")
                first = {}
                for p in points:   # a year with several values: the line takes the first, the rest are marks
                    first.setdefault(p.year, p)
                line = ax.plot(list(first), [p.value for p in first.values()],
                               label=f"{region}（{'目标' if kind == 'target' else '实际'}）", **style)[0]
                others = [p for p in points if first[p.year] is not p]
                if others:
                    ax.scatter([p.year for p in others], [p.value for p in others], marker="x", color=line.get_color())
                shown |= set(first)
            ax.set_xticks(sorted(shown))
            ax.set_xlim(min(shown) - 0.5, max(shown) + 0.5)
            ax.set_title(names.get(code, code))
            ax.set_ylabel(unit)
            ax.set_xlabel("年份")
            ax.legend(fontsize=8)
        for ax in list(axes.flat)[len(ranked):]:
            ax.set_visible(False)
        figure.suptitle(f"{result.place}：指标系列")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format=fmt, dpi=120)
        plt.close(figure)
    return frames.write(Path(path), out.getvalue())
