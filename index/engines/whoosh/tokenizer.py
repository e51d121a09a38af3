"""The Whoosh tokenizer of the ``words`` field: ``index.analysis`` as Whoosh tokens."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from index.analysis import LANGUAGE_SEPARATOR, SAME_POSITION, document_terms


class WordsTokenizer(Tokenizer):
    """Yields ``document_terms`` of a ``words_value`` (a bare string counts as text of
    unknown language): plain forms, and stems at the same position."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordsTokenizer)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, value, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs) -> Iterator[Token]:
        lang, separator, text = value.partition(LANGUAGE_SEPARATOR)
        if not separator:
            lang, text = "", value
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        position = start_pos - 1
        for term in document_terms(text, lang):
            if term[0] == SAME_POSITION:
                token.text = term[1:]
            else:
                token.text = term
                position += 1
            if positions:
                token.pos = position
            if chars:
                token.startchar = token.endchar = start_char
            yield token
