"""Name forms shared by the mention and resolution stages.

Chinese organisations go by a full registered name and shorter trading names:
浙江星海光电科技股份有限公司 → 星海光电科技 → 星海光电; 远航集团 → 远航. Industries are
compared without 产业/产业链/行业/集群. All functions are pure.
"""
from __future__ import annotations

import re
from functools import lru_cache


LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "集团", "控股")
TRADING_ENDINGS = ("科技", "能源", "太阳能", "电子", "微电子", "智能", "家居", "厨电", "机械", "纺织",
                   "光电", "国际", "网络", "股份", "实业", "新材料", "材料")
REGION_PREFIXES = ("浙江省", "浙江", "中国")
_REGIONS = frozenset(REGION_PREFIXES)
# How articles shorten a development zone's official name (某县经济开发区 → 某县经开区, 某县开发区).
PARK_SHORT_FORMS = (("经济技术开发区", "经开区"), ("经济技术开发区", "开发区"), ("经济开发区", "经开区"),
                    ("经济开发区", "开发区"), ("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新区"))
INDUSTRY_SUFFIXES = ("产业集群", "产业链", "产业", "行业", "集群")
# Full-width ASCII → half-width, ideographic space → space, quotes → straight quotes.
_NORMALISE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NORMALISE.update({0x3000: 0x20, 0xA0: 0x20})
_NORMALISE.update({ord(q): ord('"') for q in "“”「」『』„‟"})
_NORMALISE.update({ord(q): ord("'") for q in "‘’‚‛"})
_BRACKETED = re.compile(r"\([^()]*\)")
_QUOTES = re.compile(r"[\"'“”‘’「」『』\s]")


def normalise(text: str) -> str:
    """Full/half width and quote normalisation; always the same length as `text`."""
    return text.translate(_NORMALISE)


def compare_key(name: str, label: str = "") -> str:
    """The form two names are compared in (the scoring rules of the annotation guidelines)."""
    key = _QUOTES.sub("", normalise(name))
    if label == "Industry":
        key = industry_core(key)
    return key


def industry_core(name: str) -> str:
    for suffix in INDUSTRY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def company_aliases(name: str, places: frozenset[str] = frozenset()) -> list[str]:
    """Shorter trading names of a company, longest first (never shorter than two characters)."""
    core = _BRACKETED.sub("", normalise(name))
    prefix = max(longest_prefix(core, places, keep=2), longest_prefix(core, _REGIONS, keep=2), key=len)
    core = core[len(prefix):]
    forms = [core]
    core = _strip_endings(core, LEGAL_FORMS, forms)   # 某某集团股份有限公司 → 某某集团 → 某某
    _strip_endings(core, TRADING_ENDINGS, forms)
    return [f for f in dict.fromkeys(forms) if f != normalise(name) and len(f) >= 2]


def longest_prefix(text: str, prefixes: frozenset[str], keep: int = 0) -> str:
    """The longest of `prefixes` that `text` starts with and leaves `keep` characters of ("" if none)."""
    for length in _lengths(prefixes):
        if len(text) - length >= keep and text[:length] in prefixes:
            return text[:length]
    return ""


def longest_suffix(text: str, suffixes: frozenset[str], keep: int = 0) -> str:
    """The longest of `suffixes` that `text` ends with and leaves `keep` characters of ("" if none)."""
    for length in _lengths(suffixes):
        if len(text) - length >= keep and text[len(text) - length:] in suffixes:
            return text[len(text) - length:]
    return ""


@lru_cache(maxsize=256)
def _lengths(words: frozenset[str]) -> tuple[int, ...]:
    """The lengths of `words`, longest first: one slice of the text is looked up per length
    instead of testing every word (a word set is the same cached object every call)."""
    return tuple(sorted({len(w) for w in words if w}, reverse=True))


def _strip_endings(core: str, endings, forms: list[str]) -> str:
    """Strip `endings` off `core` while one ends it (leaving two characters at least),
    adding each shorter form to `forms`; returns the shortest."""
    while True:
        ending = next((e for e in endings if core.endswith(e) and len(core) - len(e) >= 2), None)
        if ending is None:
            return core
        core = core[: -len(ending)]
        forms.append(core)


def park_short_forms(name: str) -> list[str]:
    """The short forms of a development zone's name (某县经济开发区 → 某县经开区, 某县开发区);
    a zone's type alone (经开区) is no name."""
    return [name[: -len(long)] + short for long, short in PARK_SHORT_FORMS
            if name.endswith(long) and len(name) - len(long) >= 2]


_QUOTED = re.compile(r'"([^"]{2,})"')


def quoted_cores(name: str) -> list[str]:
    """The quoted part of a programme's name, which articles use for the whole
    (“某某万物”行动 → 某某万物; 某某创新“某某工程” → 某某工程)."""
    text = normalise(name)
    cores = [c for c in _QUOTED.findall(text)]
    return [c for c in cores if c != text.strip('"')]
