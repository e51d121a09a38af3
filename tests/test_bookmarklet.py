"""The bookmarklet on the check page: what it opens for a selection (its length cap and
encoding, run in headless Chromium on a blank page), and, against the real server, a quote
selected on another page landing on the check page, filled in and checked."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote_plus, unquote, urlsplit

import pytest

from tests.conftest import running_server
from tests.test_browser import wait_for
from web import create_app
from web.check_request import SHAREABLE_QUERY_LENGTH

pytestmark = pytest.mark.browser

SCHULMAN = "FGPN-RXWX"
SENTENCE = "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen."
BOOKMARKLET = re.compile(r'<a class="bookmarklet" href="([^"]+)"')
# Puts arguments[0] on the blank page as its text, selects it (or, with arguments[1], puts it
# in a textarea and selects that), catches what window.open is given and runs arguments[2].
# WebDriver cannot carry a lone surrogate: LONE_SURROGATE stands for one.
LONE_SURROGATE = "\ue000"
RUN_ON_A_SELECTION = """
const [raw, inField, code] = arguments, text = raw.replaceAll('\\ue000', '\\ud800');
document.body.textContent = '';
window.open = url => { window.opened = url; return {}; };
let node;
if (inField) {
  node = document.createElement('textarea');
  node.value = text;
  document.body.append(node, document.createTextNode('words around the field'));
  node.focus();
  node.setSelectionRange(0, text.length);
} else {
  node = document.createElement('p');
  node.style.whiteSpace = 'pre-wrap';  // line breaks selected as they are
  node.textContent = text;
  document.body.append(node);
  getSelection().selectAllChildren(node);
}
(0, eval)(code);
return window.opened;
"""


def bookmarklet_of(page: str) -> str:
    return html.unescape(BOOKMARKLET.search(page).group(1))


def as_run(bookmarklet: str) -> str:
    """The code a browser runs for a javascript: URL: the rest of it, percent-decoded."""
    assert bookmarklet.startswith("javascript:")
    return unquote(bookmarklet[len("javascript:"):])


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> str:
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("bookmarklet") / "data"),
                      "SECRET_KEY": "test", "BASE_URL": "https://verbatim.example/archive"})
    return as_run(bookmarklet_of(app.test_client().get("/check").get_data(as_text=True)))


def open_with(browser, code: str, text: str, in_field: bool = False) -> tuple[str, str]:
    """(the address opened, its query string) for ``text`` selected on a blank page."""
    browser.get("about:blank")
    opened = browser.execute_script(RUN_ON_A_SELECTION, text, in_field, code)
    assert opened.startswith("https://verbatim.example/archive/check")
    return opened, urlsplit(opened).query


def quote_in(query: str) -> str:
    return parse_qs(query, strict_parsing=True)["quote"][0]


def test_a_selection_opens_the_check_on_the_base_url_with_its_words(browser, code):
    text = "  „Ich habe die schwierige Entscheidung“ — getroffen;\n\nzweite Zeile: 50 % & mehr? #1 😀 + \t"
    opened, query = open_with(browser, code, text)
    assert opened.startswith("https://verbatim.example/archive/check?quote=")
    assert quote_in(query) == text.strip()
    _, query = open_with(browser, code, "a textarea's selection", in_field=True)
    assert quote_in(query) == "a textarea's selection"


def test_without_a_selection_it_opens_the_empty_check(browser, code):
    assert open_with(browser, code, " \n ") == ("https://verbatim.example/archive/check", "")


@pytest.mark.parametrize("word", ["Auszeit", "Führungskräfte", "人工智能", "😀🙂", "l’IA"])
def test_a_long_selection_is_cut_after_its_last_whole_word_that_fits_the_address(browser, code, word):
    text = " ".join(f"{word}{n}" for n in range(4000))  # far longer than any address takes
    _, query = open_with(browser, code, text)
    assert len(query) <= SHAREABLE_QUERY_LENGTH
    quote = quote_in(query)
    assert text.startswith(quote) and text[len(quote)] == " "  # whole words, none cut in two
    assert len(query) >= SHAREABLE_QUERY_LENGTH - len(quote_plus(f"{word}3999 "))  # no more than a word cut


def test_a_character_that_cannot_be_encoded_becomes_a_replacement_character(browser, code):
    _, query = open_with(browser, code, f"vor {LONE_SURROGATE} nach")
    assert quote_in(query) == "vor \ufffd nach"


def test_the_link_is_one_line_whose_only_percent_signs_are_encoded(client):
    bookmarklet = bookmarklet_of(client.get("/check").get_data(as_text=True))
    assert "\n" not in bookmarklet and re.search(r"%(?!25)", bookmarklet) is None
    assert '"http://localhost/check"' in as_run(bookmarklet)  # no base URL set: this request's host


# -- on a real page, against the real server ---------------------------------------------

NEWS_PAGE = """<!doctype html><html lang="de"><meta charset="utf-8"><title>Nachrichten</title>
<article><p>Der Forscher schrieb: <q id="quote">{sentence}</q> Er wechselt zu Anthropic.</p>
<div id="long"><p>{letter}</p><p>{commentary}</p></div></article></html>"""
SELECT = ("const node = document.getElementById(arguments[0]), range = document.createRange();"
          "range.selectNodeContents(node); getSelection().removeAllRanges(); getSelection().addRange(range);"
          "return getSelection().toString();")


@pytest.fixture
def news_page(browser, live_server, tmp_path):
    """Another site's page (a file) with a quote, and the bookmarklet as the check page has it."""
    browser.set_window_size(1280, 900)
    browser.get(live_server + "/check")
    code = as_run(browser.find_element("css selector", "a.bookmarklet").get_attribute("href"))
    letter = browser.execute_script(
        f"return fetch('/api/statements/{SCHULMAN}').then(r => r.json()).then(s => s.text)")
    page = tmp_path / "news.html"
    commentary = "Die Entscheidung überraschte viele in der Branche. " * 40
    page.write_text(NEWS_PAGE.format(sentence=SENTENCE, letter=html.escape(letter), commentary=commentary),
                    encoding="utf-8")
    browser.get(page.as_uri())
    yield code
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])


def run_bookmarklet(browser, code: str, element_id: str) -> str:
    """Select the element's words, run the bookmarklet and follow it to the tab it opens;
    the words selected."""
    selected = browser.execute_script(SELECT, element_id)
    first = browser.current_window_handle
    browser.execute_script(code)
    wait_for(browser, lambda d: len(d.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != first))
    wait_for(browser, lambda d: d.find_elements("css selector", "h1.verdict"))
    return selected


def test_a_quote_selected_on_another_page_opens_checked(browser, news_page):
    assert run_bookmarklet(browser, news_page, "quote") == SENTENCE
    assert browser.find_element("id", "quote").get_attribute("value") == SENTENCE
    assert browser.find_element("css selector", "h1.verdict").text.startswith("Verbatim")
    assert browser.find_element("css selector", "article.match a.cid").text == f"{SCHULMAN}/p2.s1"


def test_a_long_selection_opens_checked_up_to_its_last_whole_word_that_fits(browser, news_page):
    selected = run_bookmarklet(browser, news_page, "long").strip()
    checked = browser.find_element("id", "quote").get_attribute("value")
    assert len(urlsplit(browser.current_url).query) <= SHAREABLE_QUERY_LENGTH < len(quote_plus(selected))
    assert selected.startswith(checked) and selected[len(checked)].isspace()
    assert "Die Entscheidung überraschte" in checked  # the letter and the start of what follows
    assert browser.find_element("css selector", "article.match a.cid").text.startswith(SCHULMAN)


def test_on_the_check_page_the_link_explains_itself_instead_of_running(browser, live_server):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(live_server + "/check")
    browser.execute_script("window.refused = []; document.addEventListener('securitypolicyviolation',"
                           " e => window.refused.push(e.blockedURI));")
    link = browser.find_element("css selector", "a.bookmarklet")
    link.send_keys(Keys.ENTER)
    note = browser.find_element("id", "bookmarklet-note")
    wait_for(browser, lambda d: note.text.startswith("This link is a bookmark"))
    assert browser.current_url == live_server + "/check"
    assert browser.execute_script("return window.refused") == []


def test_the_address_to_link_to_wraps_on_a_360px_phone(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("VERBATIM_BASE_URL", "https://verbatim.example.org/statementsarchive")
    with running_server(tmp_path / "data") as base_url:
        browser.set_window_size(360, 740)
        browser.get(base_url + "/check")
        shown = browser.find_element("css selector", "aside.check-anywhere code").text
        assert shown == "https://verbatim.example.org/statementsarchive/check?quote=…"
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= browser.execute_script("return window.innerWidth")
