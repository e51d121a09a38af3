"""Importing X account archives: the real sample, folders, zips, part files, edits, the Prettier variant."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from archive.lifecycle import open_store
from tests.import_helpers import X_PRETTIER, X_SAMPLE, need, run_import, snapshot

PARENT_ID, CHILD_ID = "1627019761950375936", "1627031510963441664"


def by_platform_id(data_dir: Path) -> dict:
    with open_store(data_dir) as store:
        return {s.content.platform_id: s for s in store.iter_statements()
                if s.content.platform == "x" and s.content.platform_id}


def write_part(path: Path, tweets: list, name: str = "tweets", part: int = 0, wrap: bool = True) -> Path:
    elements = [{"tweet": tweet} if wrap else tweet for tweet in tweets]
    path.write_text(f"window.YTD.{name}.part{part} = " + json.dumps(elements, indent=2), encoding="utf-8")
    return path


def tweet(tweet_id: str, text: str, **extra) -> dict:
    return {"id_str": tweet_id, "full_text": text, "created_at": "Sat Feb 18 19:45:15 +0000 2023",
            "lang": "en", **extra}


def account_files(folder: Path, username: str = "exGenesis", display: str = "Ex Genesis") -> None:
    write_part(folder / "account.js", [], name="account")
    (folder / "account.js").write_text(
        "window.YTD.account.part0 = " + json.dumps([{"account": {
            "username": username, "accountId": "322603863", "accountDisplayName": display}}]),
        encoding="utf-8")
    (folder / "profile.js").write_text(
        "window.YTD.profile.part0 = " + json.dumps([{"profile": {
            "description": {"bio": "writes about topic models", "website": "", "location": ""}}}]),
        encoding="utf-8")


def test_real_sample_imports_seven_tweets_with_the_reply_linked(runner, data_dir):
    result = run_import(runner, need(X_SAMPLE))
    assert result.exit_code == 0, result.output
    assert "added 7, revised 0, unchanged 0, rejected 0" in result.output
    tweets = by_platform_id(data_dir)
    assert len(tweets) == 7
    # The reply comes first in the file, its parent later: still linked.
    assert tweets[CHILD_ID].content.in_reply_to == tweets[PARENT_ID].statement_id
    assert tweets[CHILD_ID].content.in_reply_to_external == ""
    assert tweets[PARENT_ID].content.in_reply_to_external.endswith("/status/1626699961042698240")
    assert {t.content.kind for t in tweets.values()} == {"reply", "post"}
    speaker = tweets[PARENT_ID].speaker
    assert speaker.handles == ("@exGenesis",) and speaker.person_id == "exgenesis"
    posted = tweets[CHILD_ID].content.posted_at
    assert (posted.value, posted.precision) == ("2023-02-18T19:45:15+00:00", "second")


def test_tco_links_are_expanded_for_display_only(runner, data_dir):
    run_import(runner, need(X_SAMPLE))
    parent = by_platform_id(data_dir)[PARENT_ID].content
    assert "https://t.co/XOWm3INJng" in parent.text
    assert "https://twitter.com/exGenesis/status/1627019761950375936/photo/1" in parent.display_text
    assert "t.co" not in parent.display_text


def test_reimport_adds_nothing(runner, data_dir):
    run_import(runner, need(X_SAMPLE))
    before = snapshot(data_dir)
    again = run_import(runner, X_SAMPLE)
    assert again.exit_code == 0 and "added 0, revised 0, unchanged 7" in again.output
    assert snapshot(data_dir) == before


def test_prettier_file_gets_a_clear_message_and_changes_nothing(runner, data_dir):
    before = snapshot(data_dir)
    result = run_import(runner, need(X_PRETTIER))
    assert result.exit_code != 0
    assert "not JSON" in result.output and "Prettier" in result.output
    assert "Traceback" not in result.output
    assert snapshot(data_dir) == before


def test_html_entities_are_decoded_exactly_once(runner, data_dir, tmp_path):
    part = write_part(tmp_path / "tweets.js", [
        tweet("11", "Q&amp;A &lt;3"), tweet("12", "literally &amp;amp; typed")])
    assert run_import(runner, part, "--speaker", "someone").exit_code == 0
    tweets = by_platform_id(data_dir)
    assert tweets["11"].text == "Q&A <3"
    assert tweets["12"].text == "literally &amp; typed"


def test_folder_with_account_parts_and_old_unwrapped_tweet_js(runner, data_dir, tmp_path):
    folder = tmp_path / "twitter-2023" / "data"
    folder.mkdir(parents=True)
    account_files(folder)
    write_part(folder / "tweets.js", [tweet("21", "first part")])
    write_part(folder / "tweets-part1.js", [tweet("22", "second part", in_reply_to_status_id_str="21",
                                                  in_reply_to_screen_name="exGenesis")], part=1)
    write_part(folder / "tweet.js", [tweet("23", "an old export without wrapping")], name="tweet",
               wrap=False)
    result = run_import(runner, tmp_path / "twitter-2023")
    assert result.exit_code == 0, result.output
    tweets = by_platform_id(data_dir)
    assert set(tweets) == {"21", "22", "23"}
    assert tweets["22"].content.in_reply_to == tweets["21"].statement_id
    speaker = tweets["21"].speaker
    assert (speaker.name, speaker.description) == ("Ex Genesis", "writes about topic models")


def test_zip_as_downloaded(runner, data_dir, tmp_path):
    bundle = tmp_path / "twitter-archive.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(need(X_SAMPLE), "data/tweets.js")
        archive.writestr("data/manifest.js", "window.__THAR_CONFIG = {}")
    result = run_import(runner, bundle, "--speaker", "@exGenesis")
    assert result.exit_code == 0, result.output
    assert len(by_platform_id(data_dir)) == 7


def test_edits_become_revisions_of_the_first_version(runner, data_dir, tmp_path):
    chain = ["31", "32", "33"]
    first = tweet("31", "Teh first version", edit_info={"initial": {"editTweetIds": chain}})
    edits = [tweet(tweet_id, text, edit_info={"edit": {"initialTweetId": "31",
                                                       "editControlInitial": {"editTweetIds": chain}}})
             for tweet_id, text in (("33", "The third version"), ("32", "The first version"))]
    part = write_part(tmp_path / "tweets.js", [edits[0], first, edits[1]])
    result = run_import(runner, part, "--speaker", "editor")
    assert result.exit_code == 0, result.output
    statement = by_platform_id(data_dir)["31"]
    assert [r.content.text for r in statement.revisions] == [
        "Teh first version", "The first version", "The third version"]
    assert statement.revisions[2].reason == "edited on X (tweet 33)"
    assert "added 1," in result.output


def test_missing_account_without_self_reply_asks_for_speaker(runner, data_dir, tmp_path):
    part = write_part(tmp_path / "tweets.js", [tweet("41", "hello")])
    before = snapshot(data_dir)
    result = run_import(runner, part)
    assert result.exit_code != 0 and "--speaker" in result.output
    assert snapshot(data_dir) == before


def test_map_and_set_do_not_apply_to_x_archives(runner, data_dir):
    result = run_import(runner, need(X_SAMPLE), "--set", "lang=de")
    assert result.exit_code == 2 and "apply to jsonl and csv files, not to x-archive" in result.output


def test_speaker_option_names_a_stored_person(runner, data_dir, tmp_path):
    part = write_part(tmp_path / "tweets.js", [tweet("51", "a tweet by the seed's Sam Altman")])
    assert run_import(runner, part, "--speaker", "@sama").exit_code == 0
    assert by_platform_id(data_dir)["51"].speaker.person_id == "sam-altman"
