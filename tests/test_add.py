"""``flask --app web add``: one statement with its source, every refusal, source reuse, and
the same words from a second source."""

from __future__ import annotations

import re

import pytest

from archive.lifecycle import open_store
from tests.conftest import SEED_ARTICLE

BROCKMAN = ("Ich plane, bis zum Ende dieses Jahres eine einjährige Auszeit zu nehmen. Dies ist"
            " meine erste Gelegenheit, mich vollständig zu entspannen, seit ich vor neun Jahren"
            " an der Gründung von OpenAI beteiligt war. Unsere ehrgeizige Mission ist jedoch noch"
            " nicht abgeschlossen - wir müssen uns weiterhin der Entwicklung einer sicheren und"
            " zuverlässigen allgemeinen künstlichen Intelligenz widmen.")
SOURCE = ["--source-title", "Ein Bericht", "--source-url", "https://example.org/bericht"]


def add(runner, *args: str):
    return runner.invoke(args=["add", *args])


def archive_state(data_dir):
    with open_store(data_dir) as store:
        return (store.count_statements(include_withdrawn=True), len(store.list_sources()),
                len(store.list_people()), store.log_size())


@pytest.fixture
def article(tmp_path):
    """The seed article with other line wrapping: every sentence on its own line."""
    if not SEED_ARTICLE.exists():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}")
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    path = tmp_path / "article.txt"
    path.write_text(re.sub(r"(?<=[.!?]) ", "\n", text), encoding="utf-8")
    return path


def test_add_prints_the_new_citation_id_and_permalink(runner, data_dir):
    result = add(runner, "--speaker", "Jane Example", "--text", "We will open the archive.",
                 *SOURCE, "--kind", "remark", "--lang", "en", "--posted-at", "2024-08-06")
    assert result.exit_code == 0, result.output
    match = re.search(r"Added ([0-9A-Z]{4}-[0-9A-Z]{4}) \(source source-ein-bericht, new speaker\):"
                      r" (\S+)", result.output)
    assert match and match[2].endswith(f"/s/{match[1]}")
    shown = runner.invoke(args=["show", match[1]])
    assert "We will open the archive." in shown.output
    assert "Ein Bericht [source-ein-bericht]" in shown.output
    assert "first archived from Ein Bericht" in shown.output
    assert "6 August 2024" in shown.output


def test_a_stored_source_with_the_same_url_is_reused(runner, data_dir):
    add(runner, "--speaker", "Sam Altman", "--text", "First words.", *SOURCE)
    before = archive_state(data_dir)
    second = add(runner, "--speaker", "sama", "--text", "Second words.",
                 "--source-title", "Another title", "--source-url", "https://example.org/bericht")
    assert second.exit_code == 0, second.output
    assert "source source-ein-bericht)" in second.output
    after = archive_state(data_dir)
    assert after[0] == before[0] + 1 and after[1] == before[1]


def test_the_same_words_from_a_second_source_revise_the_stored_statement(runner, data_dir):
    before = archive_state(data_dir)
    result = add(runner, "--speaker", "Greg Brockman", "--text", BROCKMAN, *SOURCE, "--kind", "post")
    assert result.exit_code == 0, result.output
    assert "M53G-3GCT holds these words already; it now also cites the source" in result.output
    assert archive_state(data_dir)[0] == before[0]
    with open_store(data_dir) as store:
        statement = store.get_statement("M53G-3GCT")
    assert len(statement.revisions) == 2
    assert [ref.source_id for ref in statement.content.sources] == [
        "seed-article-2024-08", "source-ein-bericht"]
    assert statement.revision.reason == ("the same words from a further source: Ein Bericht"
                                         " (source-ein-bericht)")
    assert statement.revisions[0].content.sources == statement.content.sources[:1]
    again = add(runner, "--speaker", "Greg Brockman", "--text", BROCKMAN, *SOURCE, "--kind", "post")
    assert again.exit_code == 0 and "nothing changed" in again.output
    with open_store(data_dir) as store:
        assert len(store.get_statement("M53G-3GCT").revisions) == 2


def test_source_file_accepts_the_words_across_other_line_wrapping(runner, data_dir, article):
    result = add(runner, "--speaker", "Greg Brockman",
                 "--text", "Ich plane, bis zum Ende dieses Jahres eine einjährige Auszeit zu"
                           " nehmen. Dies ist meine erste Gelegenheit,",
                 *SOURCE, "--source-file", str(article))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Added ")


def test_source_file_refuses_words_not_in_the_article_and_shows_the_closest(runner, data_dir,
                                                                               article):
    before = archive_state(data_dir)
    result = add(runner, "--speaker", "Greg Brockman",
                 "--text", "Ich plane, bis zum Ende dieses Jahres eine zweijährige Auszeit zu nehmen.",
                 *SOURCE, "--source-file", str(article))
    assert result.exit_code == 1
    assert "--source-file: text: not found verbatim in article.txt" in result.output
    assert "'Ich plane, bis zum Ende dieses Jahres eine einjährige Auszeit zu nehmen.'" in result.output
    assert "nothing stored" in result.output
    assert archive_state(data_dir) == before


REFUSALS = [
    (["--text", "Words."], "--speaker: who said it is needed"),
    (["--speaker", "Sam Altman", "--text", "  "], "--text: the words are needed"),
    (["--speaker", "Sam Altman", "--text", "Words.", "--source-title", ""],
     "--source-title: the source's title is needed"),
    (["--speaker", "Sam Altman", "--text", "Words.", "--source-title", "T", "--source-url",
      "ftp://example.org/x"], "--source-url: 'ftp://example.org/x' is not an http or https address"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--kind", "tweet"],
     "--kind: 'tweet' is not one of"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--lang", "german!"],
     "--lang: 'german!' is not a BCP 47 language tag"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--original-lang", "1"],
     "--original-lang: '1' is not a BCP 47 language tag"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--source-lang", "x_y"],
     "--source-lang: 'x_y' is not a BCP 47 language tag"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--posted-at", "someday"],
     "--posted-at: cannot read 'someday' as a date"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--retrieved-at", "yesterday"],
     "--retrieved-at: 'yesterday' is not a date (YYYY-MM-DD)"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--in-reply-to", "EGYN-534C"],
     "--in-reply-to: 'EGYN-534C': check character does not match"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--reported-by", "FGPN-RXWY"],
     "--reported-by: 'FGPN-RXWY': check character does not match"),
    (["--speaker", "Sam Altman", "--text", "Words.", *SOURCE, "--in-reply-to", "2222-2222"],
     "--in-reply-to: no statement 2222-2222 in the archive"),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS, ids=[m.split(":")[0] + str(i)
                                                              for i, (_, m) in enumerate(REFUSALS)])
def test_every_refusal_names_its_option_and_stores_nothing(runner, data_dir, args, message):
    before = archive_state(data_dir)
    result = add(runner, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "nothing stored" in result.output
    assert archive_state(data_dir) == before


def test_every_problem_is_listed_at_once(runner, data_dir):
    result = add(runner, "--speaker", "", "--text", "", "--source-title", "", "--kind", "x")
    assert result.exit_code == 1
    for option in ("--speaker:", "--text:", "--source-title:", "--kind:"):
        assert option in result.output
    assert "4 problem(s); nothing stored" in result.output


def test_usage_errors_for_the_words_given_twice_or_unreadable(runner, data_dir, tmp_path):
    both = add(runner, "--speaker", "Sam Altman", "--text", "W.", "--text-file", "x.txt", *SOURCE)
    assert both.exit_code == 2 and "give the words once" in both.output
    missing = add(runner, "--speaker", "Sam Altman", "--text-file", str(tmp_path / "no.txt"), *SOURCE)
    assert missing.exit_code == 2 and "--text-file: cannot read" in missing.output
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("Grüße".encode("latin-1"))
    bad = add(runner, "--speaker", "Sam Altman", "--text", "W.", *SOURCE, "--source-file", str(binary))
    assert bad.exit_code == 2 and "--source-file:" in bad.output and "not UTF-8" in bad.output


def test_text_file_gives_the_words(runner, data_dir, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("Erster Absatz.\n\nZweiter Absatz.", encoding="utf-8")
    result = add(runner, "--speaker", "Sam Altman", "--text-file", str(words), *SOURCE)
    assert result.exit_code == 0, result.output
    statement_id = re.search(r"Added (\S+) ", result.output)[1]
    with open_store(data_dir) as store:
        assert store.get_statement(statement_id).text == "Erster Absatz.\n\nZweiter Absatz."


def test_words_of_a_withdrawn_statement_are_refused(runner, data_dir):
    with open_store(data_dir) as store:
        store.withdraw_statement("M53G-3GCT", "test: withdrawn")
    before = archive_state(data_dir)
    result = add(runner, "--speaker", "Greg Brockman", "--text", BROCKMAN, *SOURCE)
    assert result.exit_code == 1
    assert "the withdrawn statement M53G-3GCT" in result.output
    assert archive_state(data_dir) == before
