"""The baseline: the same corpus in SQLite FTS5 (unicode61, diacritics removed, bm25 ranking,
``snippet()``), answering the same queries with the same work per search: total, facet
counts (speaker, year, language) and the top 20 with highlighted snippets."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qs

from bench.corpus import Record, person_id_of
from bench.query_set import BenchQuery

SCHEMA = """
CREATE TABLE meta (rowid INTEGER PRIMARY KEY, platform_id TEXT, speaker TEXT, lang TEXT,
                   year TEXT, posted_at TEXT, text TEXT);
CREATE VIRTUAL TABLE fts USING fts5(text, content='meta', content_rowid='rowid',
                                    tokenize='unicode61 remove_diacritics 2');
CREATE INDEX meta_speaker ON meta (speaker);
"""
TOKEN = re.compile(r"\w+")


def load(path: Path, records: Iterable[Record]) -> int:
    """Create the FTS5 database at ``path`` from the records; returns how many."""
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + SCHEMA)
    count = 0
    with db:
        rows = ((r.platform_id, person_id_of(r.speaker), r.lang, r.posted_at[:4], r.posted_at, r.text)
                for r in records)
        for row in rows:
            count += 1
            db.execute("INSERT INTO meta (platform_id, speaker, lang, year, posted_at, text)"
                       " VALUES (?, ?, ?, ?, ?, ?)", row)
        db.execute("INSERT INTO fts (rowid, text) SELECT rowid, text FROM meta")
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
    db.close()
    return count


def match_expression(query: str) -> str:
    """The FTS5 MATCH text for a benchmark query: every word required, quoted phrases kept,
    ``word*`` a prefix, ``~`` dropped (FTS5 has no typo tolerance)."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', query):
        if phrase:
            tokens = TOKEN.findall(phrase)
            if tokens:
                parts.append('"' + " ".join(tokens) + '"')
            continue
        tokens = TOKEN.findall(word.rstrip("~"))
        if word.endswith("*") and len(tokens) == 1:
            parts.append(f'"{tokens[0]}"*')
        elif len(tokens) > 1:
            parts.append('"' + " ".join(tokens) + '"')
        elif tokens:
            parts.append(f'"{tokens[0]}"')
    return " ".join(parts) or '""'


def _date_bounds(date_from: str, date_to: str) -> tuple[str, str]:
    low = date_from or "0000"
    high = (date_to or "9999") + "\uffff"  # a month or year includes all its days
    return low, high


class Fts5Searcher:
    """One connection; ``search`` does what one Verbatim search page does."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def search(self, query: BenchQuery) -> dict:
        return self.run(query.query, query.speaker, query.date_from, query.date_to)

    def run(self, text: str, speaker: str, date_from: str, date_to: str) -> dict:
        where = ["fts MATCH ?"]
        params: list = [match_expression(text)]
        if speaker:
            where.append("m.speaker = ?")
            params.append(speaker)
        if date_from or date_to:
            low, high = _date_bounds(date_from, date_to)
            where.append("m.posted_at BETWEEN ? AND ?")
            params += [low, high]
        clause = " AND ".join(where)
        try:
            grouped = self.db.execute(
                f"SELECT m.speaker, m.year, m.lang, count(*) FROM fts JOIN meta m ON m.rowid = fts.rowid"
                f" WHERE {clause} GROUP BY 1, 2, 3", params).fetchall()
            top = self.db.execute(
                f"SELECT m.platform_id, snippet(fts, 0, '<mark>', '</mark>', '…', 40), bm25(fts)"
                f" FROM fts JOIN meta m ON m.rowid = fts.rowid WHERE {clause}"
                f" ORDER BY bm25(fts) LIMIT 20", params).fetchall()
        except sqlite3.OperationalError:
            grouped, top = [], []
        facets = {"speaker": Counter(), "year": Counter(), "lang": Counter()}
        for speaker_id, year, lang, count in grouped:
            facets["speaker"][speaker_id] += count
            facets["year"][year] += count
            facets["lang"][lang] += count
        return {"total": sum(row[3] for row in grouped),
                "facets": {name: counter.most_common(50) for name, counter in facets.items()},
                "results": [{"platform_id": pid, "snippet_html": snippet, "score": score}
                            for pid, snippet, score in top]}


def create_app():
    """A WSGI app answering ``/api/search?q=&speaker=&from=&to=`` from the FTS5 database named
    by ``$BENCH_FTS5_DB`` (one connection per server thread), for the HTTP baseline."""
    import threading

    path = Path(os.environ["BENCH_FTS5_DB"])
    local = threading.local()

    def app(environ, start_response):
        searcher = getattr(local, "searcher", None)
        if searcher is None:
            searcher = local.searcher = Fts5Searcher(path)
        args = {name: values[0] for name, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        page = searcher.run(args.get("q", ""), args.get("speaker", ""), args.get("from", ""),
                            args.get("to", ""))
        body = json.dumps(page, ensure_ascii=False).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return app


def main() -> None:
    """``python -m bench.fts5 DB [GENERATED.jsonl]``: load the real corpora (or a generated
    file) into a new FTS5 database (the baseline's import)."""
    import sys

    from bench.corpus import read_generated, read_real_records

    target = Path(sys.argv[1])
    records = read_generated(Path(sys.argv[2])) if len(sys.argv) > 2 else read_real_records()
    print(load(target, records))


if __name__ == "__main__":
    main()
