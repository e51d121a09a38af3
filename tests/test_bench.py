"""The benchmark's inputs: the generated corpus is the same on every run, looks like the real
one, and the fixed query file parses with every category the issue asks for."""

from __future__ import annotations

from datetime import datetime

import pytest

from bench.corpus import generate_records, person_id_of, read_real_records
from bench.fts5 import Fts5Searcher, load, match_expression
from bench.query_set import CATEGORIES, QueryFileError, load_queries
from tests.conftest import CORPORA

needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not beside the project")


@needs_corpora
def test_generated_corpus_is_the_same_for_the_same_seed_and_differs_for_another():
    first = list(generate_records(300))
    assert first == list(generate_records(300))
    assert first != list(generate_records(300, seed=1))
    assert len({record.platform_id for record in first}) == 300


@needs_corpora
def test_generated_statements_recombine_real_sentences_of_the_speakers_language():
    real = list(read_real_records())
    real_text = {"de": " ".join(r.text for r in real if r.lang == "de"),
                 "en": " ".join(r.text for r in real if r.lang == "en")}
    real_speakers = {record.speaker for record in real}
    generated = list(generate_records(400))
    assert {record.lang for record in generated} == {"de", "en"}
    assert real_speakers & {record.speaker for record in generated}
    for record in generated[:50]:
        assert record.text[:12] in real_text[record.lang]  # each sentence is at least 12 long
        moment = datetime.fromisoformat(record.posted_at.replace("Z", "+00:00"))
        assert 2000 <= moment.year <= 2022


def test_query_file_parses_with_at_least_300_queries_in_every_category():
    queries = load_queries()
    assert len(queries) >= 300
    assert {query.category for query in queries} == set(CATEGORIES)
    assert all(query.speaker for query in queries if query.category == "speaker")
    assert all(query.date_from for query in queries if query.category == "date")
    assert all(query.query.endswith("*") for query in queries if query.category == "prefix")


def test_a_malformed_query_file_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "queries.tsv"
    path.write_text("category\tquery\tspeaker\tdate_from\tdate_to\nword\tfoo\t\t\t\nnoun\tbar\t\t\t\n",
                    encoding="utf-8")
    with pytest.raises(QueryFileError, match="line 3: unknown category 'noun'"):
        load_queries(path)


def test_fts5_baseline_answers_words_phrases_prefixes_and_filters(tmp_path):
    from bench.corpus import Record

    records = [Record("1", "_FriedrichMerz", "2021-03-02T10:00:00Z", "de", "Die Bürger wählen heute."),
               Record("2", "realDonaldTrump", "2016-11-08T10:00:00Z", "en", "Get out and vote today!"),
               Record("3", "realDonaldTrump", "2017-01-20T10:00:00Z", "en", "Today we vote again.")]
    assert load(tmp_path / "f.sqlite3", records) == 3
    searcher = Fts5Searcher(tmp_path / "f.sqlite3")
    assert searcher.run("buerger", "", "", "")["total"] == 0   # no umlaut folding in FTS5
    assert searcher.run("burger", "", "", "")["total"] == 1    # diacritics removed
    assert searcher.run('"vote today"', "", "", "")["total"] == 1
    assert searcher.run("vot*", "", "", "")["total"] == 2
    assert searcher.run("vote", person_id_of("realDonaldTrump"), "2017", "")["total"] == 1
    page = searcher.run("today", "", "", "")
    assert page["facets"]["year"] == [("2016", 1), ("2017", 1)] or sorted(page["facets"]["year"]) == [
        ("2016", 1), ("2017", 1)]
    assert "<mark>" in page["results"][0]["snippet_html"]
    assert match_expression('x-ray "a b" c~ pre*') == '"x ray" "a b" "c" "pre"*'


@needs_corpora
def test_generated_x_archive_imports_whole_with_its_long_posts(runner, data_dir, tmp_path):
    from bench.x_archive import FIRST_ID, LONG_EVERY, write_archive
    from tests.test_import_x_archive import by_platform_id

    folder = write_archive(2 * LONG_EVERY, tmp_path / "x")
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"added {2 * LONG_EVERY}, revised 0, unchanged 0, rejected 0" in result.output
    posts = by_platform_id(data_dir)
    long_one = posts[str(FIRST_ID + LONG_EVERY)].content
    assert len(long_one.text) > 300 and not long_one.text_truncated and "…" not in long_one.text
    assert posts[str(FIRST_ID + 1)].speaker.handles == ("@benchaccount",)
