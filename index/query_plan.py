"""The query plan: what a search asks of an engine, in terms of index fields and terms.

``index.query_builder`` turns a parsed query and its filters into a plan, deciding
everything that needs no engine (expansion caps, compounds, speaker and date terms,
notices); each engine compiles the plan into its own queries (the Whoosh engine in
``index.engines.whoosh.compiler``). Fields: ``words`` (each word's plain form and stems, at
its position), ``speaker``, ``lang``, ``platform``, ``kind``, ``statement_id``, ``year``,
``month``, ``day``, and one per mark (``deleted``, ``truncated``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """Documents whose field holds the term."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Documents whose field holds the words at consecutive positions, in order."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class AndNot:
    """Documents of ``positive`` that ``negative`` does not match; scored as ``positive``."""

    positive: object
    negative: object


@dataclass(frozen=True)
class AndMaybe:
    """Documents of ``required``; ``optional`` only adds to the score where it matches."""

    required: object
    optional: object


@dataclass(frozen=True)
class Every:
    """Every document."""


@dataclass(frozen=True)
class Nothing:
    """No document."""


NOTHING = Nothing()

Plan = Term | Phrase | Or | And | AndNot | AndMaybe | Every | Nothing

