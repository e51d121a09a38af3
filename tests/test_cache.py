"""The index's one bounded cache: what it keeps, what it drops first, and its bound."""

from __future__ import annotations

import threading

from index.cache import BoundedCache


def test_keeps_values_and_loads_each_once():
    cache: BoundedCache[str] = BoundedCache(4)
    loads = []

    def load(key):
        loads.append(key)
        return key.upper()

    assert [cache.fetch(key, lambda k=key: load(k)) for key in "abab"] == ["A", "B", "A", "B"]
    assert loads == ["a", "b"]


def test_drops_the_least_recently_used_first():
    cache: BoundedCache[int] = BoundedCache(2)
    cache.fetch("a", lambda: 1)
    cache.fetch("b", lambda: 2)
    cache.fetch("a", lambda: 1)          # a is now the most recently used
    cache.fetch("c", lambda: 3)          # so b goes
    assert cache.fetch("a", lambda: -1) == 1
    assert cache.fetch("b", lambda: -2) == -2


def test_bounded_by_weight_and_never_keeps_what_is_too_big():
    cache: BoundedCache[list] = BoundedCache(10, len)
    cache.fetch("six", lambda: [0] * 6)
    cache.fetch("four", lambda: [0] * 4)
    assert cache.held == 10 and len(cache) == 2
    cache.fetch("three", lambda: [0] * 3)  # six goes, the oldest
    assert cache.held == 7
    assert cache.fetch("huge", lambda: [0] * 11) == [0] * 11  # answered, not kept
    assert cache.held == 7 and cache.fetch("huge", lambda: []) == []
    assert cache.fetch("four", lambda: []) == [0] * 4  # the others stayed


def test_threads_share_one_value():
    cache: BoundedCache[object] = BoundedCache(8)
    seen = []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        seen.append(cache.fetch("key", object))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # each thread gets the value that was kept, whichever thread loaded it
    assert len({id(value) for value in seen}) == 1
