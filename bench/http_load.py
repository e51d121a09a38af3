"""HTTP load on loopback: a bounded number of requests from N concurrent clients, each with
its own keep-alive connection, cycling through the query set."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.query_set import BenchQuery


def query_path(query: BenchQuery) -> str:
    return "/api/search?" + urlencode({"q": query.query, **query.parameters(), "per_page": 20})


@dataclass
class LoadResult:
    clients: int
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(port: int, queries: list[BenchQuery], clients: int, requests: int) -> LoadResult:
    """Send ``requests`` requests from ``clients`` threads; every response must be 200."""
    paths = [query_path(query) for query in queries]
    latencies: list[float] = []
    errors = [0]
    counter = iter(range(requests))
    guard = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with guard:
                number = next(counter, None)
            if number is None:
                break
            began = time.perf_counter()
            try:
                connection.request("GET", paths[number % len(paths)])
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                ok = False
            elapsed = (time.perf_counter() - began) * 1000
            with guard:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(clients, requests, time.perf_counter() - started, latencies, errors[0])
