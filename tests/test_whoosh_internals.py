"""whoosh-reloaded's private parts that the index reads: the version they were read from,
and that each fast path gives what Whoosh's public API gives on a real index."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from archive.importers import ImportOptions, import_file
from archive.lifecycle import init_archive, open_store
from index.engines.whoosh import internals as whoosh_internals
from index.engines.whoosh.directory import get_index_directory
from index.engines.whoosh.engine import WhooshEngine
from tests.bulk_statements import bulk_records, write_jsonl

OPTIONS = ImportOptions(mapping={"text": "t", "speaker": "s", "posted_at": "d", "platform_id": "i",
                                 "lang": "l"}, constants={"platform": "bulk"})


def test_the_pinned_whoosh_version_is_installed():
    """The internals are read from one release; another must be checked before it is used."""
    assert version("whoosh-reloaded") == whoosh_internals.WHOOSH_VERSION


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("internals")
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    with open_store(data_dir) as store:
        # more than one posting block (128 postings) for the common words
        import_file(store, write_jsonl(tmp_path / "bulk.jsonl", bulk_records(600)), OPTIONS)
        WhooshEngine(data_dir).rebuild(store)
    with get_index_directory(data_dir).searcher() as searcher:
        yield searcher.reader().leaf_readers()[0][0]


def test_posting_blocks_give_what_the_matcher_gives(reader):
    field, term = max(((f, t) for f, t in reader.all_terms() if f == "words"),
                      key=lambda pair: reader.doc_frequency(*pair))
    public = reader.postings(field, term)
    expected = []
    while public.is_active():
        expected.append((public.id(), public.weight()))
        public.next()
    blocks = whoosh_internals.posting_blocks(reader.postings(field, term))
    assert blocks is not None
    got = [pair for ids, weights in blocks for pair in zip(ids, weights, strict=True)]
    assert got == expected and len(got) > 128


def test_seek_finds_exactly_the_documents_with_the_term(reader):
    field, term = max(((f, t) for f, t in reader.all_terms() if f == "words"),
                      key=lambda pair: reader.doc_frequency(*pair))
    holders = {docnum for docnum, _ in reader.postings(field, term).items_as("weight")}
    matcher = reader.postings(field, term)
    assert whoosh_internals.can_seek(matcher)
    found = set()
    for docnum in range(reader.doc_count_all()):
        if not matcher.is_active():
            break
        if whoosh_internals.seek(matcher, docnum):
            found.add(docnum)
    assert found == holders


def test_columns_read_whole_equal_whoosh_columns(reader):
    codes, values = whoosh_internals.reference_codes(reader.column_reader("lang", translate=False))
    assert [values[code] for code in codes] == list(reader.column_reader("lang", translate=False))
    column = reader.column_reader("statement_id", translate=False)
    assert whoosh_internals.variable_values(column) == list(column)
    assert whoosh_internals.segment_id(reader) == reader._segment.segment_id()


def test_deleted_documents_are_whooshs(tmp_path):
    data_dir = tmp_path / "data"
    init_archive(data_dir)
    with open_store(data_dir) as store:
        engine = WhooshEngine(data_dir)
        engine.follow(store)
        victim = next(iter(store.current_hashes()))
        store.withdraw_statement(victim, "a deleted document in the index")
        with get_index_directory(data_dir).searcher() as searcher:
            leaves = [leaf for leaf, _offset in searcher.reader().leaf_readers()]
            deleted = {docnum for leaf in leaves for docnum in whoosh_internals.deleted_docs(leaf)}
            assert deleted and all(leaf.is_deleted(docnum) for leaf in leaves
                                   for docnum in whoosh_internals.deleted_docs(leaf))
            assert sum(leaf.doc_count_all() - leaf.doc_count() for leaf in leaves) == len(deleted)
