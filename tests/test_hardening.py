"""Holes an attacker's review found in the web surface: parameters that Flask's ``url_for``
takes as its own, and Host headers that would end up in permalinks and redirects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web import create_app
from web.hosts import HostConfigurationError

STATEMENT = "EGYN-534B"


@pytest.mark.parametrize("url", [
    "/search?q=Auszeit&_method=POST", "/?endpoint=1", "/search?endpoint=", "/search?q=x&endpoint=x",
    "/search.json?q=Auszeit&_method=POST", "/?_scheme=ftp&q=Auszeit", "/search?q=Auszeit&_anchor=zzz",
    "/search?q=Auszeit&_external=1", "/check?quote=Wir+wissen+was&endpoint=1&_anchor=zzz&_method=POST",
    "/check?quote=Wir+wissen&_external=1",
])
def test_parameters_of_url_for_are_never_passed_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    html = response.text
    assert "#zzz" not in html and "_anchor" not in html and "_method" not in html
    assert "http://localhost/search" not in html  # links stay relative: _external was dropped
    assert "ftp:" not in html


def test_a_search_link_keeps_the_search_s_own_parameters(client):
    html = client.get("/search?q=Auszeit&lang=de&sort=newest&_anchor=zzz").text
    downloads = re.search(r'href="(/api/search\.csv[^"]*)"', html)[1]
    assert "q=Auszeit" in downloads and "lang=de" in downloads and "sort=newest" in downloads


@pytest.mark.parametrize("path", [f"/s/{STATEMENT}", f"/api/statements/{STATEMENT}", "/search?q=Auszeit",
                                  "/api/openapi.json", f"//s//{STATEMENT}", "/api/speakers"])
def test_a_foreign_host_header_is_refused_before_anything_names_it(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    assert "Content-Security-Policy" in response.headers
    if path.startswith("/api/"):
        assert response.json["error"]["code"] == "unknown_host"


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:5000", "[::1]:5000", "[::1]"])
def test_loopback_hosts_are_served_by_default(client, host):
    response = client.get(f"/api/statements/{STATEMENT}", headers={"Host": host})
    assert response.status_code == 200
    assert response.json["url"] == f"http://{host}/s/{STATEMENT}"


def test_permalinks_and_citations_come_from_the_configured_base_url(data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BASE_URL": "https://verbatim.example/"})
    client = app.test_client()
    record = client.get(f"/api/statements/{STATEMENT}", headers={"Host": "localhost:9999"}).json
    assert record["url"] == f"https://verbatim.example/s/{STATEMENT}"
    citation = client.get(f"/api/statements/{STATEMENT}/citation?style=plain").json["citation"]
    assert citation.endswith(f"https://verbatim.example/s/{STATEMENT}")
    assert client.get("/api/openapi.json").json["servers"] == [{"url": "https://verbatim.example"}]
    page = client.get(f"/s/{STATEMENT}").text
    assert f"https://verbatim.example/s/{STATEMENT}" in page and "localhost" not in page
    # the base URL's own host is served; other hosts still are not
    assert client.get("/api/speakers", headers={"Host": "verbatim.example"}).status_code == 200
    assert client.get("/api/speakers", headers={"Host": "evil.example"}).status_code == 400


def test_allowed_hosts_take_names_and_subdomain_patterns(data_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir),
                      "ALLOWED_HOSTS": "quotes.example.org, .newsroom.example"})
    client = app.test_client()
    for host, status in (("quotes.example.org", 200), ("desk.newsroom.example:8443", 200),
                         ("newsroom.example", 200), ("localhost", 400), ("evilnewsroom.example", 400)):
        assert client.get("/api/speakers", headers={"Host": host}).status_code == status, host


@pytest.mark.parametrize("config", [{"BASE_URL": "javascript:alert(1)"}, {"BASE_URL": "verbatim.example"},
                                    {"ALLOWED_HOSTS": " , "}])
def test_a_bad_host_setting_stops_the_app_with_its_name(data_dir, config):
    with pytest.raises(HostConfigurationError, match="BASE_URL|ALLOWED_HOSTS"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir), **config})


def test_html_and_json_of_one_url_are_cached_apart(client):
    html = client.get(f"/s/{STATEMENT}")
    json_answer = client.get(f"/s/{STATEMENT}", headers={"Accept": "application/json"})
    assert html.mimetype == "text/html" and json_answer.is_json
    for response in (html, json_answer):
        assert "Accept" in response.headers["Vary"]
    assert html.headers["ETag"] != json_answer.headers["ETag"]
    # a conditional request with the HTML's ETag does not turn into a 304 for the JSON
    again = client.get(f"/s/{STATEMENT}", headers={"Accept": "application/json",
                                                   "If-None-Match": html.headers["ETag"]})
    assert again.status_code == 200 and again.is_json
    assert client.get(f"/s/{STATEMENT}", headers={"If-None-Match": html.headers["ETag"]}).status_code == 304
    for path in ("/search?q=Auszeit", "/speakers", "/s/NOPE-NOPE"):
        assert "Accept" in client.get(path).headers.get("Vary", ""), path


@pytest.mark.parametrize("path", [f"/s/{STATEMENT}.json", "/search.json?q=Auszeit", "/speakers.json",
                                  "/speakers/sam-altman.json"])
def test_json_twins_allow_cross_origin_reads_like_the_api(client, path):
    response = client.get(path, headers={"Origin": "https://newsroom.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" not in response.headers.get("Vary", "")


# -- import: lone surrogates, person IDs ----------------------------------------------------

LONE = "\\ud800"  # as JSON escapes it: valid JSON, but no character


def _jsonl(path, records: list[str]):
    path.write_text("".join(record + "\n" for record in records), encoding="utf-8")
    return path


def _x_archive(folder, full_text: str, username: str = "owner"):
    folder.mkdir()
    (folder / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1001", "full_text": "fine words",'
        ' "created_at": "Sat Feb 18 19:45:15 +0000 2023"}}, {"tweet": {"id_str": "1002",'
        f' "full_text": "{full_text}", "created_at": "Sat Feb 18 19:46:15 +0000 2023"}}}}]',
        encoding="utf-8")
    (folder / "account.js").write_text(
        f'window.YTD.account.part0 = [{{"account": {{"username": "{username}",'
        ' "accountDisplayName": "Owner"}}]', encoding="utf-8")
    return folder


@pytest.mark.parametrize("bad_field", ["text", "speaker"])
def test_a_lone_surrogate_in_jsonl_is_one_bad_record(runner, tmp_path, bad_field):
    good = '{"text": "fine words", "speaker": "Alice Example"}'
    bad = {"text": f'{{"text": "bad {LONE} words", "speaker": "Alice Example"}}',
           "speaker": f'{{"text": "other words", "speaker": "Mallory {LONE}"}}'}[bad_field]
    path = _jsonl(tmp_path / "records.jsonl", [good, bad])
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 1 and "line 2" in refused.output and "surrogate" in refused.output
    assert "Traceback" not in refused.output
    skipped = runner.invoke(args=["import", str(path), "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "added 1" in skipped.output and "rejected 1" in skipped.output


def test_a_lone_surrogate_in_an_x_archive_tweet_is_one_bad_record(runner, tmp_path):
    folder = _x_archive(tmp_path / "export", f"bad {LONE} text")
    refused = runner.invoke(args=["import", str(folder)])
    assert refused.exit_code == 1 and "element 2" in refused.output and "surrogate" in refused.output
    skipped = runner.invoke(args=["import", str(folder), "--skip-invalid"])
    assert skipped.exit_code == 0 and "added 1" in skipped.output, skipped.output


def test_a_lone_surrogate_in_the_account_name_is_refused_with_a_message(runner, tmp_path):
    folder = _x_archive(tmp_path / "export", "fine text", username=f"own{LONE}er")
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 1 and "surrogate" in result.output, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(
        result.exception, SystemExit)


def test_a_lone_surrogate_in_a_verbatim_export_person_is_one_bad_record(runner, tmp_path):
    header = '{"format": "verbatim-export", "version": 1, "schema_version": 2, "counts": {}}'
    person = f'{{"record": "person", "person_id": "mallory", "name": "Mal{LONE}lory"}}'
    path = _jsonl(tmp_path / "export.jsonl", [header, person])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and "line 2" in result.output and "surrogate" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("person_id", ["alice\n", "alice.json", "alice.atom", "Alice", "-alice", "a" * 65])
def test_person_ids_are_matched_whole_and_never_look_like_a_json_twin_or_a_feed(person_id):
    from archive.records import InvalidRecordError, Person
    with pytest.raises(InvalidRecordError, match="person_id"):
        Person(person_id, "Alice").validate()


@pytest.mark.parametrize("handle", ["@evil.json", "@evil.atom"])
def test_a_speaker_named_like_a_json_file_gets_a_page_that_routes(runner, client, tmp_path, handle):
    path = _jsonl(tmp_path / "records.jsonl", [f'{{"text": "routed words", "speaker": "{handle}"}}'])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    people = client.get("/api/speakers").json
    listed = people["speakers"] if isinstance(people, dict) and "speakers" in people else people
    created = [p for p in json_people(listed) if p["name"] == handle]
    assert len(created) == 1 and not created[0]["person_id"].endswith((".json", ".atom"))
    page = client.get(f"/speakers/{created[0]['person_id']}")
    assert page.status_code == 200 and page.mimetype == "text/html" and "routed words" in page.text


def json_people(listed) -> list[dict]:
    return [item.get("speaker", item) if isinstance(item, dict) else item for item in listed]


def test_rejected_records_are_kept_as_bounded_excerpts(runner, tmp_path):
    import json

    from archive.importers.records import MAX_REJECTED_CHARACTERS
    big = "x" * 1_000_000
    path = _jsonl(tmp_path / "records.jsonl", [
        '{"text": "fine words", "speaker": "Alice Example"}',
        *[f'{{"text": "{big}", "speaker": "Alice Example", "posted_at": "2023-13-45"}}' for _ in range(3)],
        f'{{"text": "bad {LONE} words", "speaker": "Alice Example"}}'])
    rejects = tmp_path / "rejects.jsonl"
    result = runner.invoke(args=["import", str(path), "--skip-invalid", "--rejects", str(rejects)])
    assert result.exit_code == 0 and "rejected 4" in result.output, result.output
    assert rejects.stat().st_size < 4 * (MAX_REJECTED_CHARACTERS + 1_000)
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    # the whole line's length, without its line break
    assert [line.get("record_length") for line in lines[:3]] == [len(big) + 67] * 3
    assert all(line["record_cut_at"] == MAX_REJECTED_CHARACTERS for line in lines[:3])
    assert json.loads(lines[3]["record"])["text"] == "bad \ud800 words"  # the surrogate as it came


# -- import: no silent reattribution or rewritten history ------------------------------------

def test_a_record_that_changes_who_said_stored_words_is_refused_unless_allowed(runner, client, tmp_path):
    from tests.import_helpers import snapshot
    first = _jsonl(tmp_path / "first.jsonl", [
        '{"text": "the words", "speaker": "Alice Example", "platform": "x", "platform_id": "555"}'])
    assert runner.invoke(args=["import", str(first)]).exit_code == 0
    statement_id = client.get("/api/search?q=the+words").json["results"][0]["statement_id"]
    second = _jsonl(tmp_path / "second.jsonl", [
        '{"text": "the words", "speaker": "Bob Example", "platform": "x", "platform_id": "555"}'])
    data_dir = tmp_path / "data"
    before = snapshot(data_dir)
    refused = runner.invoke(args=["import", str(second)])
    assert refused.exit_code == 1 and "change of speaker is refused" in refused.output
    assert statement_id in refused.output and "--allow speaker-change" in refused.output
    assert snapshot(data_dir) == before
    allowed = runner.invoke(args=["import", str(second), "--allow", "speaker-change"])
    assert allowed.exit_code == 0, allowed.output
    record = client.get(f"/api/statements/{statement_id}").json
    assert record["speaker"]["name"] == "Bob Example" and len(record["revisions"]) == 2


def _crafted_export(runner, tmp_path, change) -> Path:
    import json
    exported = tmp_path / "export.jsonl"
    assert runner.invoke(args=["export", "--output", str(exported)]).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line.get("statement_id") == "N5NT-5ZJF":
            change(line)
    # crafted without a log (an old export's form); with its log the log check refuses it first
    lines = [line for line in lines if line.get("record") != "log"]
    lines[0].pop("log", None)
    lines[0]["counts"].pop("log", None)
    lines[0]["version"] = 1
    crafted = tmp_path / "crafted.jsonl"
    crafted.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                       encoding="utf-8")
    return crafted


def _archive_with_more_than_the_seed(runner, tmp_path) -> None:
    """A restore into a new archive takes an export as it is; the refusals guard the others."""
    more = _jsonl(tmp_path / "more.jsonl", ['{"text": "more words", "speaker": "Alice Example"}'])
    assert runner.invoke(args=["import", str(more)]).exit_code == 0


def _added_revision(created_at: str, person_id: str | None = None):
    import json

    def change(line: dict) -> None:
        revision = json.loads(json.dumps(line["revisions"][-1]))
        revision["revision"] += 1
        revision["reason"] = "corrected"
        revision["created_at"] = created_at
        revision["content"]["date_note"] = "changed"
        if person_id:
            revision["content"]["person_id"] = person_id
        line["revisions"].append(revision)
    return change


def _withdrawn(line: dict) -> None:
    line.update(status="withdrawn", withdrawn_reason="forged", withdrawn_at="2030-01-01T00:00:00Z")


@pytest.mark.parametrize("change, flag, message", [
    (_added_revision("2001-01-01T00:00:00Z"), "backdated-revision", "dated before the latest stored one"),
    (_added_revision("2099-01-01T00:00:00Z", person_id="sam-altman"), "speaker-change",
     "change of speaker is refused"),
    (_withdrawn, "withdrawal", "withdraws a stored statement"),
])
def test_a_crafted_export_cannot_rewrite_history_unless_allowed(runner, client, tmp_path, change, flag,
                                                                 message):
    from tests.import_helpers import snapshot
    _archive_with_more_than_the_seed(runner, tmp_path)
    crafted = _crafted_export(runner, tmp_path, change)
    before = snapshot(tmp_path / "data")
    refused = runner.invoke(args=["import", str(crafted)])
    assert refused.exit_code == 1 and message in refused.output and f"--allow {flag}" in refused.output
    assert snapshot(tmp_path / "data") == before
    allowed = runner.invoke(args=["import", str(crafted), "--allow", flag])
    assert allowed.exit_code == 0, allowed.output
    assert snapshot(tmp_path / "data") != before


def test_a_later_revision_from_an_export_still_needs_no_flag(runner, client, tmp_path):
    _archive_with_more_than_the_seed(runner, tmp_path)
    crafted = _crafted_export(runner, tmp_path, _added_revision("2099-01-01T00:00:00Z"))
    result = runner.invoke(args=["import", str(crafted)])
    assert result.exit_code == 0 and "revised 1" in result.output, result.output


# -- the WSGI server's own error answers ----------------------------------------------------

def _raw_request(base_url: str, request: bytes) -> bytes:
    import socket
    from urllib.parse import urlsplit
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /api/search?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
    (b"GET /api/speakers HTTP/1.1\r\nHost: localhost\r\n"
     + b"".join(b"X-Filler-%d: %s\r\n" % (number, b"b" * 100) for number in range(120)) + b"\r\n", 431),
    (b"GET /api/speakers HTTP/1.1\r\nHost: localhost\r\nBad Header Name: x\r\n\r\n", 400),
])
def test_the_server_s_own_error_answers_carry_the_security_headers(live_server, request_bytes, status):
    import json
    answer = _raw_request(live_server, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])}
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["status"] == status


# -- import: only regular files, bounded sizes ----------------------------------------------

def _export_folder(tmp_path) -> Path:
    from datetime import UTC, datetime

    from tests.x_archive_builder import export_files, post, write_folder
    when = datetime(2023, 2, 18, 19, 45, 15, tzinfo=UTC)
    return write_folder(tmp_path / "export", export_files([post("1001", "fine words", when)]))


def _import_with_timeout(data_dir: Path, path: Path):
    """The import as a separate process, so that a hang fails the test instead of stopping it."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, VERBATIM_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "web", "import", str(path)],
                          env=env, cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("kind", ["fifo", "link-outside", "link-to-device"])
def test_an_export_folder_holding_anything_but_regular_files_is_refused(tmp_path, kind):
    import os
    folder = _export_folder(tmp_path)
    part = folder / "data" / "tweets-part1.js"
    if kind == "fifo":
        os.mkfifo(part)
    elif kind == "link-outside":
        outside = tmp_path / "elsewhere.js"
        tweets = (folder / "data" / "tweets.js").read_text(encoding="utf-8")
        outside.write_text(tweets.replace("1001", "1002"), encoding="utf-8")
        part.symlink_to(outside)
    else:
        part.symlink_to("/dev/zero")
    result = _import_with_timeout(tmp_path / "data", folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tweets-part1.js" in result.stderr and "Traceback" not in result.stderr
    assert ("symbolic link" if kind != "fifo" else "not a regular file") in result.stderr


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_a_path_that_is_a_pipe_or_a_device_is_refused_at_once(tmp_path, target):
    import os
    path = tmp_path / "records.jsonl"
    if target == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(target)
    result = _import_with_timeout(tmp_path / "data", path)
    assert result.returncode == 1 and "not a regular file or folder" in result.stderr, result.stderr


def test_an_oversized_account_file_is_refused_before_it_is_read(tmp_path):
    from archive.importers.files import MAX_ACCOUNT_FILE_BYTES
    folder = _export_folder(tmp_path)
    with open(folder / "data" / "profile.js", "wb") as handle:
        handle.truncate(MAX_ACCOUNT_FILE_BYTES + 1)  # sparse: no disk, and never read
    result = _import_with_timeout(tmp_path / "data", folder)
    assert result.returncode == 1 and "profile.js: larger than 16 MiB" in result.stderr, result.stderr
