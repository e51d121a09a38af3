"""The facets of a result, from the engine's counts of each value: labelled (a speaker's name,
``German``, ``X``), ordered (years newest first, the rest most frequent first) and bounded."""

from __future__ import annotations

from collections import Counter

from archive.vocabulary import language_name, platform_name
from index.results import FACETS, MAX_FACET_VALUES, FacetValue
from index.speakers import SpeakerDirectory


def facet_values(counts: dict[str, Counter], speakers: SpeakerDirectory) -> dict[str, list[FacetValue]]:
    """``counts``: per facet, the number of results with each value (bytes or text)."""
    labels = {"speaker": speakers.display, "lang": language_name, "platform": platform_name}
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = []
        for raw, count in counts.get(name, Counter()).items():
            value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if value and count:
                values.append(FacetValue(value, labels.get(name, str)(value), count))
        if name == "year":
            values.sort(key=lambda item: item.value, reverse=True)
        else:
            values.sort(key=lambda item: (-item.count, item.label.lower(), item.value))
        facets[name] = values[:MAX_FACET_VALUES]
    return facets
