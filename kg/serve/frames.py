"""Views as tables: pandas DataFrames for Python, CSV (UTF-8, with a BOM for Excel on request) and
Excel workbooks with one sheet per view. Written atomically: a failed write leaves no half file."""
from __future__ import annotations

import io
import json
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

BOM = "\ufeff"


def frame(rows: list[dict], columns: list[str]) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def sources_text(quote) -> str:
    return "; ".join(s.doc + (f" ({s.when})" if s.when else "") for s in quote.sources)


def csv_bytes(table: "pd.DataFrame", bom: bool = False) -> bytes:
    """CSV as UTF-8; with `bom`, a byte-order mark first, which is how Excel knows it is UTF-8."""
    text = table.to_csv(index=False, lineterminator="\r\n")
    return ((BOM if bom else "") + text).encode("utf-8")


def xlsx_bytes(tables: dict[str, "pd.DataFrame"]) -> bytes:
    """An Excel workbook, one sheet per view (sheet names cut to Excel's 31 characters)."""
    import pandas as pd

    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column in sheet.columns:   # wide enough for Chinese text (two columns a character)
                width = max((_display_width(str(c.value)) for c in column if c.value is not None), default=8)
                sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
            sheet.freeze_panes = "A2"
    return out.getvalue()


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def write(path: Path, data: bytes) -> Path:
    from ..build.files import write_atomic

    write_atomic(Path(path), data)
    return Path(path)


def to_json(view) -> str:
    return json.dumps(asdict(view) if is_dataclass(view) else view, ensure_ascii=False, indent=2, default=str)


def table_text(table: "pd.DataFrame", max_width: int = 60) -> str:
    """A DataFrame as an aligned text table (Chinese counted as two columns)."""
    columns = [str(c) for c in table.columns]
    rows = [["" if v is None or (isinstance(v, float) and v != v) else _cut(str(v), max_width) for v in r]
            for r in table.itertuples(index=False)]
    widths = [max([_display_width(c)] + [_display_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    pad = lambda text, w: text + " " * (w - _display_width(text))  # noqa: E731
    lines = ["  ".join(pad(c, w) for c, w in zip(columns, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if _display_width(text) <= width else text[: width // 2 - 1] + "…"
