"""The bounded cache every process-wide cache of the index uses: least recently used first
out, bounded by the total weight of what it holds (one per entry unless told otherwise),
thread-safe, with values loaded outside its lock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    """At most ``limit`` of weight, as measured by ``weight`` (default: 1 per entry)."""

    def __init__(self, limit: int, weight: Callable[[Value], int] | None = None):
        self.limit = limit
        self._weight = weight or (lambda _value: 1)
        self._items: OrderedDict[Hashable, Value] = OrderedDict()
        self._held = 0
        self._guard = threading.Lock()

    def fetch(self, key: Hashable, load: Callable[[], Value]) -> Value:
        """The value under ``key``; when missing, ``load()`` makes it (outside the lock, so
        two threads may both load it; the first kept wins) and the least recently used
        entries go until the cache is within its limit again. A value heavier than the
        whole limit is answered and not kept."""
        with self._guard:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        found = load()
        weight = self._weight(found)
        if weight > self.limit:
            return found  # not kept: it would push out everything else
        with self._guard:
            if key in self._items:
                return self._items[key]
            self._items[key] = found
            self._held += weight
            while self._held > self.limit and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._held -= self._weight(dropped)
        return found

    def __len__(self) -> int:
        return len(self._items)

    @property
    def held(self) -> int:
        """The total weight of the entries held."""
        return self._held
