"""Highlighted snippets, made from the statement text in the archive (not a copy in the index).

A snippet is a stretch of the statement's own text, every character HTML-escaped, with
``<mark>`` around the words that matched; nothing else is added, so removing the marks and
unescaping gives back an exact substring of the statement.
"""

from __future__ import annotations

from html import escape

from index.analysis import english_stem_cached, fold, fold_accents, german_stem, tokenize

SNIPPET_LENGTH = 320  # characters of text around the best cluster of matches


def _matches(word: str, terms: set[str], starts: set[str]) -> bool:
    plain = fold(word)
    if plain in terms:
        return True
    if plain[:3] not in starts:  # stems keep the word's first letters: skip the stemmers
        return False
    return german_stem(plain) in terms or english_stem_cached(fold_accents(word)) in terms


def _window(text: str, spans: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """The stretch of about ``length`` characters holding the most matches, cut at spaces."""
    if len(text) <= length:
        return 0, len(text)
    best_start, best_count = 0, -1
    following = 0
    for index, (start, _end) in enumerate(spans):
        while following < len(spans) and spans[following][0] < start + length:
            following += 1
        if following - index > best_count:
            best_start, best_count = start, following - index
    start = max(0, best_start - length // 4) if spans else 0
    end = min(len(text), start + length)
    start = max(0, end - length)
    if start > 0:
        space = text.find(" ", start, start + 40)
        if space >= 0:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", end - 40, end)
        if space > start:
            end = space
    return start, end


def make_snippet(text: str, terms: set[str], length: int = SNIPPET_LENGTH) -> tuple[str, int, int]:
    """(snippet_html, start, end): the best stretch of ``text`` with matching words marked."""
    spans = []
    if terms:
        starts = {term[:3] for term in terms}
        known: dict[str, bool] = {}
        for word, word_start, word_end in tokenize(text):
            found = known.get(word)
            if found is None:
                found = known[word] = _matches(word, terms, starts)
            if found:
                spans.append((word_start, word_end))
    start, end = _window(text, spans, length)
    parts = []
    cursor = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(escape(text[cursor:span_start], quote=True))
        parts.append("<mark>" + escape(text[span_start:span_end], quote=True) + "</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end], quote=True))
    return "".join(parts), start, end
