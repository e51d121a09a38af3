"""Performance benchmark of Verbatim (import, in-process and HTTP search, memory, cold start)
beside an SQLite FTS5 baseline on the same corpus and queries; run with ``python -m bench``."""
