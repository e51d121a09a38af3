"""Long X posts: the whole text from note-tweet.js, or the cut text marked as cut on the record,
the page, the API, every citation style and in verify; re-imports that complete it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archive.cite import CITATION_STYLES
from tests.import_helpers import run_import, snapshot
from tests.test_import_x_archive import by_platform_id
from tests.x_archive_builder import export_files, long_post, note, post, write_folder, write_zip

WHEN = datetime(2023, 2, 18, 19, 45, 15, tzinfo=UTC)
WHOLE = ("Another lesson is that there is a lot of trash in any archive of posts, many not very"
         " contentful ones, and it is not trivial to separate them from the rest. We can always"
         " train a classifier, or honestly just use a language model with a few examples, and"
         " then read what is left by hand, which is what I did for the first thousand of them"
         " before writing this up. More at https://t.co/abcDEF123 and in the thread below.")
NOTE_LINK = {"shortUrl": "https://t.co/abcDEF123", "expandedUrl": "https://example.org/lessons",
             "displayUrl": "example.org/lessons"}


def long_export(*, with_note: bool = True) -> dict[str, str]:
    tweets = [long_post("1627000000000000001", WHOLE, WHEN),
              post("1627000000000000002", "A short one &amp; whole", WHEN + timedelta(minutes=3))]
    notes = [note("1627000000000000900", WHOLE, WHEN, urls=[NOTE_LINK])] if with_note else None
    return export_files(tweets=tweets, notes=notes)


def test_a_long_post_gets_the_whole_text_of_its_note(runner, data_dir, tmp_path):
    result = run_import(runner, write_folder(tmp_path / "x", long_export()))
    assert result.exit_code == 0, result.output
    assert "added 2," in result.output
    posts = by_platform_id(data_dir)
    content = posts["1627000000000000001"].content
    assert content.text == WHOLE and not content.text_truncated
    assert "https://example.org/lessons" in content.display_text
    assert "…" not in content.text and "/i/web/status/" not in content.display_text
    assert posts["1627000000000000002"].content.text == "A short one & whole"


def test_a_long_post_without_its_note_is_kept_cut_and_marked(runner, client, data_dir, tmp_path):
    result = run_import(runner, write_folder(tmp_path / "x", long_export(with_note=False)))
    assert result.exit_code == 0, result.output
    statement = by_platform_id(data_dir)["1627000000000000001"]
    assert statement.content.text_truncated
    assert statement.text.startswith(WHOLE[:200]) and statement.text.endswith("https://t.co/s00000001")
    assert not by_platform_id(data_dir)["1627000000000000002"].content.text_truncated
    sid = statement.statement_id

    page = client.get(f"/s/{sid}").get_data(as_text=True)
    assert "Text cut by the platform&#39;s export" in page
    record = client.get(f"/api/statements/{sid}").get_json()
    assert record["text_truncated"] is True and record["deleted_on_platform"] is None
    hits = client.get("/api/search?q=classifier").get_json()["results"]
    assert [(hit["statement_id"], hit["text_truncated"]) for hit in hits] == [(sid, True)]
    results_page = client.get("/search?q=classifier").get_data(as_text=True)
    assert "text cut by the platform&#39;s export" in results_page
    for style in CITATION_STYLES:
        citation = client.get(f"/api/statements/{sid}/citation?style={style}").get_json()["citation"]
        text = citation["note"] if style == "csl-json" else citation
        assert "ext cut by the platform's export" in text, style

    verify = runner.invoke(args=["verify"])
    assert verify.exit_code == 0, verify.output
    assert f"{sid} (x 1627000000000000001): text cut by the platform's export" in verify.output
    assert "1 statement(s) hold only the words" in verify.output


def test_a_whole_post_has_no_mark_anywhere(client, data_dir, runner, tmp_path):
    run_import(runner, write_folder(tmp_path / "x", long_export()))
    sid = by_platform_id(data_dir)["1627000000000000001"].statement_id
    assert "platform&#39;s export" not in client.get(f"/s/{sid}").get_data(as_text=True)
    assert "export" not in client.get(f"/api/statements/{sid}/citation?style=apa").get_json()["citation"]
    assert "Notice" not in runner.invoke(args=["verify"]).output


def test_reimport_with_the_note_completes_the_text_as_a_new_revision(runner, data_dir, tmp_path):
    folder = write_folder(tmp_path / "first" / "twitter", long_export(with_note=False))
    assert run_import(runner, folder).exit_code == 0
    cut = by_platform_id(data_dir)["1627000000000000001"]
    assert cut.content.text_truncated

    fuller = write_folder(tmp_path / "second" / "twitter", long_export())
    result = run_import(runner, fuller)
    assert result.exit_code == 0, result.output
    assert "added 0, revised 1, unchanged 1" in result.output
    statement = by_platform_id(data_dir)["1627000000000000001"]
    assert statement.statement_id == cut.statement_id
    assert [r.content.text_truncated for r in statement.revisions] == [True, False]
    assert statement.text == WHOLE
    assert "the whole text, which the earlier export had cut" in statement.revisions[1].reason

    # The cut export again: the whole words stay, nothing changes.
    before = snapshot(data_dir)
    again = run_import(runner, folder)
    assert again.exit_code == 0 and "added 0, revised 0, unchanged 2" in again.output
    assert snapshot(data_dir) == before


def test_a_link_share_ending_in_an_ellipsis_is_not_a_cut(runner, data_dir, tmp_path):
    shared = post("1627000000000000003", "Read this… https://t.co/other", WHEN)
    shared["entities"]["urls"].append({"url": "https://t.co/other",
                                       "expanded_url": "https://twitter.com/i/web/status/1627000000000000777"})
    run_import(runner, write_folder(tmp_path / "x", export_files(tweets=[shared], notes=[])))
    content = by_platform_id(data_dir)["1627000000000000003"].content
    assert not content.text_truncated and content.text == "Read this… https://t.co/other"


def test_a_note_must_match_the_time_and_the_visible_words(runner, data_dir, tmp_path):
    other_words = note("9", "Something else entirely. " * 20, WHEN)
    an_hour_later = note("10", WHOLE, WHEN + timedelta(hours=1))
    tweets = [long_post("1627000000000000001", WHOLE, WHEN)]
    files = export_files(tweets=tweets, notes=[other_words, an_hour_later])
    run_import(runner, write_folder(tmp_path / "x", files))
    assert by_platform_id(data_dir)["1627000000000000001"].content.text_truncated


def test_edited_long_posts_take_each_versions_note_and_an_updated_note_its_last_words(
        runner, data_dir, tmp_path):
    first_id, second_id = "1627000000000000010", "1627000000000000011"
    chain = [first_id, second_id]
    edited = WHOLE.replace("classifier", "small classifier")
    later = WHEN + timedelta(minutes=10)
    tweets = [
        long_post(second_id, edited, later, edit_info={"edit": {
            "initialTweetId": first_id, "editControlInitial": {"editTweetIds": chain}}}),
        long_post(first_id, WHOLE, WHEN, edit_info={"initial": {"editTweetIds": chain}}),
    ]
    stale = edited.replace("thread below", "thread belwo")
    notes = [note("1", WHOLE, WHEN),
             # the second version's note, edited once more: the later update is its last word
             note("2", stale, later, updated=later),
             note("3", edited, later, updated=later + timedelta(seconds=1)),
             note("4", edited + " (gone)", later, lifecycle="Deleted")]
    result = run_import(runner, write_zip(tmp_path / "twitter.zip", export_files(tweets=tweets, notes=notes)))
    assert result.exit_code == 0, result.output
    statement = by_platform_id(data_dir)[first_id]
    assert [r.content.text for r in statement.revisions] == [WHOLE, edited]
    assert statement.revisions[1].reason == f"edited on X (tweet {second_id})"
    assert not any(r.content.text_truncated for r in statement.revisions)


def test_notes_in_a_zip_with_split_parts(runner, data_dir, tmp_path):
    files = long_export()
    files["tweets-part1.js"] = files.pop("tweets.js").replace(".part0 =", ".part1 =")
    files["tweets.js"] = export_files(tweets=[post("1627000000000000020", "part zero", WHEN)])["tweets.js"]
    result = run_import(runner, write_zip(tmp_path / "twitter-2023.zip", files))
    assert result.exit_code == 0, result.output
    posts = by_platform_id(data_dir)
    assert set(posts) == {"1627000000000000001", "1627000000000000002", "1627000000000000020"}
    assert posts["1627000000000000001"].text == WHOLE


def test_a_single_tweets_js_reads_the_notes_beside_it(runner, data_dir, tmp_path):
    folder = write_folder(tmp_path / "x", long_export())
    result = run_import(runner, folder / "data" / "tweets.js")
    assert result.exit_code == 0, result.output
    assert by_platform_id(data_dir)["1627000000000000001"].text == WHOLE


@pytest.mark.parametrize("bad", ["[{\"noteTweet\": {\"core\": {}}}]"])
def test_a_note_without_text_is_a_reported_problem(runner, data_dir, tmp_path, bad):
    files = long_export()
    files["note-tweet.js"] = "window.YTD.note_tweet.part0 = " + bad
    before = snapshot(data_dir)
    result = run_import(runner, write_folder(tmp_path / "x", files))
    assert result.exit_code == 1
    assert "note-tweet.js element 1: not a note" in result.output
    assert snapshot(data_dir) == before
