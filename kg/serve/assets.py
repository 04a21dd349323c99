"""What the front-end build (`make build` → frontend/build.mjs) installs into
kg/serve/static/build/: the SPARQL editor's bundle and the Noto Sans SC font; and how the
pages use them: served files for `kg serve`, a subset inlined into the standalone map.

Where the build could not run (no npm), pages still work: the query page falls back to a
textarea and says why, and text falls back to the machine's fonts.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
BUILT = STATIC / "build"
EDITOR_BUNDLE = BUILT / "editor.js"
FONT_FAMILY = "KG Sans"
_FONTS = BUILT / "fonts"
_CJK, _LATIN = "noto-sans-sc-chinese-simplified-400-normal", "noto-sans-sc-latin-400-normal"
_LATIN_RANGE = "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+2000-206F,U+20AC,U+2122"


def editor_status() -> tuple[bool, str]:
    """Whether the SPARQL editor was installed, and if not, why."""
    if EDITOR_BUNDLE.is_file():
        return True, ""
    why = BUILT / "unavailable.txt"
    if why.is_file():
        return False, why.read_text(encoding="utf-8").strip()
    return False, "kg/serve/static/build/editor.js is missing; `make build` makes it with npm (Node.js)"


def font_installed() -> bool:
    return (_FONTS / f"{_CJK}.woff").is_file()


def served_font_css() -> str:
    """@font-face rules for the served pages: the browser fetches the font only where an
    installed font lacks a character."""
    if not font_installed():
        return f"/* {FONT_FAMILY} is not installed (make build copies it from npm); the machine's fonts are used */\n"
    faces = [(f"{_LATIN}.woff2", _LATIN_RANGE), (f"{_CJK}.woff2", None)]
    return "".join(
        f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; font-weight: 400; font-display: swap; "
        f"src: url(/static/build/fonts/{name}) format('woff2');{f' unicode-range: {urange};' if urange else ''} }}\n"
        for name, urange in faces)


def inline_font_css(text: str) -> str:
    """An @font-face rule whose font holds exactly the characters of `text`, as a data: URL,
    for a page that must work offline on its own (the map). Empty without the font."""
    if not font_installed():
        return ""
    data = _subset("".join(sorted(set(text))))
    return (f"@font-face {{ font-family: '{FONT_FAMILY}'; font-style: normal; font-weight: 400; "
            f"src: url(data:font/woff;base64,{base64.b64encode(data).decode('ascii')}) format('woff'); }}\n")


@lru_cache(maxsize=8)
def _subset(characters: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(_FONTS / f"{_CJK}.woff", recalcTimestamp=False)   # the same bytes on every build
    options = subset.Options()
    options.flavor = "woff"                 # zlib: no Brotli needed
    options.layout_features = []            # labels need no ligatures or kerning, and it halves the time
    options.drop_tables += ["GPOS", "GSUB", "GDEF"]
    options.hinting = True                  # keeping the hints keeps glyphs compiled: 2x faster
    options.recalc_bounds = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
