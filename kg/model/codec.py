"""Records as JSON and back: the format of the build cache. Plain data only (no pickle),
so a cache file can be read without trusting it: bytes that are not what they should be
raise CodecError, and never run anything.

A record is written as the list of its fields' values, in field order, and read back by
its fields' type hints. Entries are keyed by the code that wrote them (the extractor's
version digests kg/model), so a record that changes shape never meets an old entry. The
encoder and decoder of each type are built once: the cache is read and written for every
document of every build, and walking type hints value by value would cost a fifth of the
NER model's time.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
import zlib
from functools import cache
from typing import Any, Callable, TypeVar

from .errors import KGError

T = TypeVar("T")


class CodecError(KGError):
    """Bytes that are not an encoded record of the expected type."""


def dumps(value: Any, kind: Any = None) -> bytes:
    """Compressed JSON of a record (or a tuple of them: give `kind`, e.g. tuple[Name, ...])."""
    plain = _encoder(kind if kind is not None else type(value))(value)
    return zlib.compress(json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def loads(kind: type[T] | Any, data: bytes) -> T:
    try:
        plain = json.loads(zlib.decompress(data).decode("utf-8"))
        return _decoder(kind)(plain)
    except CodecError:
        raise
    except (zlib.error, UnicodeDecodeError, ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise CodecError(f"not an encoded {getattr(kind, '__name__', kind)} ({type(exc).__name__}: {exc})") from None


def to_plain(value: Any) -> Any:
    """JSON-compatible values of a record (for digests)."""
    return _encoder(type(value))(value)


_SCALARS = (str, int, float, bool)
_ALLOWED = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}   # JSON type of each


@cache
def _encoder(kind: Any) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [(f.name, _encoder(hints[f.name])) for f in dataclasses.fields(kind)]
        return lambda value: [encode(getattr(value, name)) for name, encode in fields]
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [_encoder(a) for a in args if a is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot encode {kind!r}")
        inner = options[0]
        return lambda value: None if value is None else inner(value)
    if origin in (tuple, frozenset) or kind in (tuple, list):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            items = [_encoder(a) for a in args]
            return lambda value: [encode(v) for encode, v in zip(items, value)]
        element = args[0] if args else Any
        if element in _SCALARS:
            return sorted if origin is frozenset else list
        inner = _encoder(element)
        return (lambda value: sorted(inner(v) for v in value)) if origin is frozenset else \
            (lambda value: [inner(v) for v in value])
    if origin is dict:
        key, item = _encoder(args[0]), _encoder(args[1])
        return lambda value: {key(k): item(v) for k, v in value.items()}
    if kind in _SCALARS or kind is Any:
        return lambda value: value
    raise TypeError(f"cannot encode {kind!r}")


def _check(shape: type | tuple[type, ...], kind: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, shape) or (shape is int and isinstance(value, bool)):
            raise CodecError(f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
        return value
    return check


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [_decoder(hints[f.name]) for f in dataclasses.fields(kind)]
        count = len(fields)
        allowed = [_ALLOWED.get(hints[f.name]) for f in dataclasses.fields(kind)]
        if all(allowed):   # most records hold only scalars: checked in one pass
            def flat(value: Any) -> Any:
                if type(value) is not list or len(value) != count or \
                        not all(type(v) in a for v, a in zip(value, allowed)):
                    raise CodecError(f"expected the {count} fields of {kind.__name__}")
                return kind(*value)
            return flat

        def record(value: Any) -> Any:
            if type(value) is not list or len(value) != count:
                raise CodecError(f"expected the {count} fields of {kind.__name__}")
            return kind(*[decode(v) for decode, v in zip(fields, value)])
        return record
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [_decoder(a) for a in args if a is not type(None)]
        return lambda value: None if value is None else inner(value)
    if origin in (tuple, frozenset):
        make = tuple if origin is tuple else frozenset
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            items = [_decoder(a) for a in args]

            def fixed(value: Any) -> Any:
                if type(value) is not list or len(value) != len(items):
                    raise CodecError(f"expected {len(items)} values for {kind}")
                return tuple(decode(v) for decode, v in zip(items, value))
            return fixed
        element = args[0]
        if element in (str, int):
            def scalars(value: Any) -> Any:
                if type(value) is not list or not all(type(v) is element for v in value):
                    raise CodecError(f"expected a list of {element.__name__}")
                return make(value)
            return scalars
        inner = _decoder(element)

        def many(value: Any) -> Any:
            if type(value) is not list:
                raise CodecError(f"expected a list for {kind}")
            return make(inner(v) for v in value)
        return many
    if origin is dict:
        key, item = _decoder(args[0]), _decoder(args[1])

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                raise CodecError(f"expected an object for {kind}")
            return {key(k): item(v) for k, v in value.items()}
        return mapping
    if kind is float:   # an int where a float is declared stays an int, as it was written
        return _check((int, float), kind)
    if kind in (str, int, bool):
        return _check(kind, kind)
    raise TypeError(f"cannot decode {kind!r}")
