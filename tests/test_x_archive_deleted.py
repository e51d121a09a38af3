"""Deleted and community posts of an X export: kept as active statements, the deletion on the
record, the page, the API, the citations, ``is:deleted`` and its facet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from archive.records import PlatformDeletion
from tests.import_helpers import run_import, snapshot
from tests.test_import_x_archive import by_platform_id
from tests.x_archive_builder import export_files, post, write_folder, write_zip, x_date

WHEN = datetime(2023, 2, 10, 8, 0, 0, tzinfo=UTC)
DELETED_AT = "Sat Feb 18 19:45:15 +0000 2023"


def deleted(tweet_id: str, text: str, when: datetime = WHEN, at: str = DELETED_AT) -> dict:
    return post(tweet_id, text, when, deleted_at=at)


def mixed_export() -> dict[str, str]:
    """Two live posts (one of them also listed as deleted), one deleted only, one community post."""
    return export_files(
        tweets=[post("101", "Gradient descent is underrated", WHEN),
                post("102", "A post I later deleted about transformers", WHEN + timedelta(hours=1))],
        deleted=[deleted("102", "A post I later deleted about transformers", WHEN + timedelta(hours=1)),
                 deleted("103", "Regrettable take on transformers", WHEN + timedelta(hours=2),
                         at="2023-03-01T12:00:00.000Z")],
        community=[post("104", "Hello community, transformers again", WHEN + timedelta(hours=3),
                        community_id_str="1500000000000000099")])


def test_deleted_posts_are_kept_active_with_the_deletion_and_one_statement_each(runner, data_dir, tmp_path):
    result = run_import(runner, write_folder(tmp_path / "x", mixed_export()))
    assert result.exit_code == 0, result.output
    assert "added 4, revised 0, unchanged 0, rejected 0" in result.output
    posts = by_platform_id(data_dir)
    assert set(posts) == {"101", "102", "103", "104"}
    assert all(statement.status == "active" for statement in posts.values())
    assert posts["101"].content.deleted_on_platform is None
    assert posts["102"].content.deleted_on_platform == PlatformDeletion(
        "2023-02-18T19:45:15+00:00", "second", "account")
    assert posts["103"].content.deleted_on_platform == PlatformDeletion(
        "2023-03-01T12:00:00+00:00", "second", "account")
    assert posts["104"].content.venue == "X Community 1500000000000000099"
    assert posts["104"].content.deleted_on_platform is None

    again = run_import(runner, write_folder(tmp_path / "x", mixed_export()))
    assert "added 0, revised 0, unchanged 4" in again.output


def test_deleted_posts_alone_in_a_zip(runner, data_dir, tmp_path):
    files = export_files(deleted=[deleted("201", "only ever deleted")])
    result = run_import(runner, write_zip(tmp_path / "twitter.zip", files))
    assert result.exit_code == 0, result.output
    statement = by_platform_id(data_dir)["201"]
    assert statement.content.deleted_on_platform.by == "account"
    assert statement.speaker.handles == ("@exGenesis",)


def test_a_later_export_that_lists_a_post_as_deleted_adds_a_revision(runner, data_dir, tmp_path):
    live = export_files(tweets=[post("301", "still up", WHEN)])
    run_import(runner, write_folder(tmp_path / "a" / "x", live))
    later = export_files(tweets=[], deleted=[deleted("301", "still up")])
    result = run_import(runner, write_folder(tmp_path / "b" / "x", later))
    assert result.exit_code == 0, result.output
    statement = by_platform_id(data_dir)["301"]
    assert len(statement.revisions) == 2 and statement.text == "still up"
    assert "deleted_on_platform changed" in statement.revisions[1].reason
    assert statement.revisions[0].content.deleted_on_platform is None


def test_deletion_on_page_api_search_and_citations(runner, client, data_dir, tmp_path):
    run_import(runner, write_folder(tmp_path / "x", mixed_export()))
    sid = by_platform_id(data_dir)["102"].statement_id
    page = client.get(f"/s/{sid}").get_data(as_text=True)
    assert "deleted on X on 18 February 2023, by the account" in page
    record = client.get(f"/api/statements/{sid}").get_json()
    assert record["deleted_on_platform"] == {"at": "2023-02-18T19:45:15+00:00", "precision": "second",
                                             "by": "account"}
    assert record["status"] == "active"
    for style, expected in (("plain", "deleted on X on 18 February 2023"),
                            ("apa", "deleted on X on 18 February 2023"),
                            ("mla", "Deleted on X on 18 Feb. 2023."),
                            ("chicago-note", "deleted on X on February 18, 2023,"),
                            ("chicago-bib", "Deleted on X on February 18, 2023."),
                            ("bibtex", "Deleted on X on 18 February 2023."),
                            ("ris", "N1  - Deleted on X on 18 February 2023.")):
        citation = client.get(f"/api/statements/{sid}/citation?style={style}").get_json()["citation"]
        assert expected in citation, (style, citation)
    results = client.get("/search?q=transformers").get_data(as_text=True)
    assert results.count("deleted on X on ") == 2


def test_is_deleted_and_not_deleted_and_the_facet(runner, client, data_dir, tmp_path):
    run_import(runner, write_folder(tmp_path / "x", mixed_export()))
    posts = by_platform_id(data_dir)

    def found(query: str) -> set[str]:
        body = client.get("/api/search", query_string={"q": query, "per_page": 100}).get_json()
        return {hit["platform_id"] for hit in body["results"] if hit["platform"] == "x"}

    assert found("transformers is:deleted") == {"102", "103"}
    assert found("transformers -is:deleted") == {"104"}
    assert found("is:deleted") == {"102", "103"}
    assert found("gradient -is:deleted") == {"101"}
    body = client.get("/api/search?q=transformers").get_json()
    assert body["facets"]["deleted"] == [{"value": "deleted", "label": "deleted", "count": 2}]
    hits = {hit["platform_id"]: hit for hit in body["results"]}
    assert hits["102"]["deleted_on_platform"]["at"] == "2023-02-18T19:45:15+00:00"
    assert hits["104"]["deleted_on_platform"] is None
    assert posts["101"].content.deleted_on_platform is None
    # The facet link narrows the search.
    page = client.get("/search?q=transformers").get_data(as_text=True)
    assert 'href="/search?q=transformers+is:deleted"' in page
    notices = client.get("/api/search?q=is:gone").get_json()["notices"]
    assert any("'is:gone' is not one of is:deleted, is:truncated" in notice for notice in notices)


def test_a_bad_deletion_date_is_reported_and_nothing_stored(runner, data_dir, tmp_path):
    files = export_files(deleted=[deleted("401", "x", at="the day after the storm")])
    before = snapshot(data_dir)
    result = run_import(runner, write_folder(tmp_path / "x", files))
    assert result.exit_code == 1
    assert "deleted-tweets.js element 1:" in result.output
    assert snapshot(data_dir) == before


def test_likes_and_messages_in_the_zip_are_not_imported(runner, data_dir, tmp_path):
    files = export_files(tweets=[post("501", "mine", WHEN)])
    result = run_import(runner, write_zip(tmp_path / "twitter.zip", files))
    assert result.exit_code == 0, result.output
    assert set(by_platform_id(data_dir)) == {"501"}


def test_export_and_import_keep_both_marks(runner, data_dir, tmp_path):
    from archive.lifecycle import open_store
    from tests.x_archive_builder import long_post

    files = mixed_export()
    files["tweets.js"] = export_files(tweets=[long_post("601", "word " * 80, WHEN)])["tweets.js"]
    assert run_import(runner, write_folder(tmp_path / "x", files)).exit_code == 0
    exported = tmp_path / "archive.jsonl"
    assert runner.invoke(args=["export", "--output", str(exported)]).exit_code == 0
    with open_store(data_dir) as store:
        statements = {s.statement_id: s for s in store.iter_statements()}
    # into a fresh data directory: the same records, marks included
    from web import create_app

    other = create_app({"DATA_DIR": str(tmp_path / "other"), "TESTING": True})
    result = other.test_cli_runner().invoke(args=["import", str(exported)])
    assert result.exit_code == 0, result.output
    with open_store(tmp_path / "other") as store:
        copied = {s.statement_id: s for s in store.iter_statements()}
    assert ({sid: s.revisions for sid, s in copied.items()}
            == {sid: s.revisions for sid, s in statements.items()})
    assert any(s.content.text_truncated for s in copied.values())
    assert any(s.content.deleted_on_platform for s in copied.values())


def test_x_dates_in_the_builder_are_what_x_writes():
    assert x_date(WHEN) == "Fri Feb 10 08:00:00 +0000 2023"


def test_records_stored_before_these_fields_existed_still_load(runner, data_dir):
    import sqlite3

    from archive.data_dir import archive_path
    from archive.lifecycle import open_store

    with sqlite3.connect(archive_path(data_dir)) as raw:
        raw.execute("UPDATE revisions SET content ="
                    " json_remove(content, '$.text_truncated', '$.deleted_on_platform')")
        assert raw.execute("SELECT count(*) FROM revisions WHERE content LIKE '%text_truncated%'"
                           ).fetchone()[0] == 0
    with open_store(data_dir) as store:
        statements = list(store.iter_statements())
    assert statements and all(not s.content.text_truncated and s.content.deleted_on_platform is None
                              for s in statements)
    assert runner.invoke(args=["verify"]).exit_code == 0


def test_a_deletion_record_is_validated():
    import pytest

    from archive.records import InvalidRecordError, StatementContent

    base = {"person_id": "a", "text": "words"}
    with pytest.raises(InvalidRecordError, match="deleted_on_platform"):
        StatementContent.from_dict(base | {"deleted_on_platform": "yesterday"})
    with pytest.raises(InvalidRecordError, match="deleted_on_platform: by 'moderators'"):
        StatementContent.from_dict(base | {"deleted_on_platform": {"at": "2023", "precision": "year",
                                                                     "by": "moderators"}})
    with pytest.raises(InvalidRecordError, match="text_truncated"):
        StatementContent.from_dict(base | {"text_truncated": "yes"})
    month = {"at": "2023-02", "precision": "month", "by": "unknown"}
    content = StatementContent.from_dict(base | {"deleted_on_platform": month})
    assert content.deleted_on_platform == PlatformDeletion("2023-02", "month", "unknown")


def test_an_index_of_the_previous_format_is_rebuilt_with_the_new_fields(runner, data_dir, tmp_path):
    import json
    import urllib.request

    from index.engines.whoosh.directory import FORMAT_FILE
    from tests.conftest import running_server

    run_import(runner, write_folder(tmp_path / "x", mixed_export()))
    generations = [path for path in (data_dir / "index").iterdir() if path.is_dir()]
    for generation in generations:
        (generation / FORMAT_FILE).write_text("verbatim-index-1\n", encoding="utf-8")
    with running_server(data_dir, workers=1, threads=1) as base_url, \
            urllib.request.urlopen(base_url + "/api/search?q=is:deleted") as response:
        body = json.load(response)
    assert {hit["platform_id"] for hit in body["results"]} == {"102", "103"}
    assert body["facets"]["deleted"][0]["count"] == 2
    rebuilt = [path for path in (data_dir / "index").iterdir() if path.is_dir()]
    assert rebuilt and not set(rebuilt) & set(generations)


def test_the_csv_download_carries_both_marks(runner, client, tmp_path):
    import csv
    import io

    from tests.x_archive_builder import long_post

    files = mixed_export()
    files["tweets.js"] = export_files(tweets=[long_post("701", "transformers " * 30, WHEN)])["tweets.js"]
    run_import(runner, write_folder(tmp_path / "x", files))
    download = client.get("/api/search.csv?q=transformers").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(download)))
    marks = {row["platform_id"]: (row["text_truncated"], row["deleted_on_platform_at"]) for row in rows}
    assert marks["701"] == ("true", "")
    assert marks["102"] == ("", "2023-02-18T19:45:15+00:00")
    assert marks["104"] == ("", "")
