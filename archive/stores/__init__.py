"""The implementations of ``archive.store.ArchiveStore``: ``sqlite`` (the archive in one file,
the record of truth) and ``memory`` (in dictionaries, for fast tests)."""
