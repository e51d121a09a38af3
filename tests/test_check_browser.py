"""The quote check page in headless Chromium against the real server (gunicorn): a pasted
misquote gets its verdict with the differences marked, the Copy buttons and the link to the
highlighted passage work, the page fits a 360 px phone, and hostile input and records stay text.

With ``VERBATIM_SCREENSHOTS=DIR`` the tests leave screenshots of the page in DIR."""

from __future__ import annotations

import pytest

from tests.conftest import running_server
from tests.hostile_records import MARKER, SCRIPT, build_hostile_archive
from tests.test_browser import snap, wait_for
from tests.test_hostile_browser import assert_nothing_ran

pytestmark = pytest.mark.browser

SCHULMAN = "FGPN-RXWX"
MISQUOTE = "Ich habe die schwere Entscheidung getroffen, OpenAI zu verlassen"
WIDER_THAN_VIEWPORT = (
    "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
    " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The seed collection plus hostile records, under gunicorn."""
    hostile = build_hostile_archive(tmp_path_factory.mktemp("check-browser") / "data")
    with running_server(hostile.data_dir) as base_url:
        yield base_url


def paste_and_check(browser, base_url: str, quote: str, speaker: str = "") -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/check")
    browser.find_element(By.ID, "quote").send_keys(quote)
    if speaker:
        browser.find_element(By.CSS_SELECTOR, "details.check-filters summary").click()
        browser.find_element(By.NAME, "speaker").send_keys(speaker)
    browser.find_element(By.CSS_SELECTOR, "form.check button[type=submit]").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "h1.verdict"))


def test_a_pasted_misquote_shows_the_verdict_the_marked_difference_and_the_reference(browser, server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    paste_and_check(browser, server, MISQUOTE, speaker="schulman")
    assert browser.find_element(By.CSS_SELECTOR, "h1.verdict").text.startswith("Close")
    passage = browser.find_element(By.CSS_SELECTOR, "article.match blockquote.passage")
    said, stored = passage.find_element(By.TAG_NAME, "del"), passage.find_element(By.TAG_NAME, "ins")
    assert (said.text, stored.text) == ("schwere", "schwierige")
    assert said.is_displayed() and stored.is_displayed()
    assert said.value_of_css_property("text-decoration-line") == "line-through"
    assert "Ich habe die" in passage.text and "OpenAI zu verlassen" in passage.text
    assert "German translation" in browser.find_element(By.CSS_SELECTOR, ".translation-note").text
    assert "2 statements by John Schulman" in browser.find_element(By.CSS_SELECTOR, ".coverage").text
    snap(browser, "check close")

    copy = browser.find_element(By.CSS_SELECTOR, "article.match .idline button.copy")
    assert copy.get_attribute("data-copy") == f"{SCHULMAN}/p2.s1"
    copy.click()
    wait_for(browser, lambda d: "done" in copy.get_attribute("class"))
    cite = browser.find_element(By.CSS_SELECTOR, "article.match pre.citation + button.copy")
    assert cite.get_attribute("data-copy").startswith("“Ich habe die schwierige Entscheidung")

    browser.find_element(By.CSS_SELECTOR, "a.open-passage").click()
    wait_for(browser, lambda d: d.current_url.endswith(f"/s/{SCHULMAN}/p2.s1"))
    located = browser.find_element(By.ID, "p2-s1")
    assert "located" in located.get_attribute("class")
    assert located.text.startswith("Ich habe die schwierige Entscheidung")


def test_a_short_check_has_an_address_to_share_and_a_long_one_is_posted(browser, server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    paste_and_check(browser, server, MISQUOTE)
    assert "/check?quote=Ich+habe+die+schwere" in browser.current_url
    letter = browser.execute_script(
        "return fetch('/api/statements/" + SCHULMAN + "').then(r => r.json()).then(s => s.text)")
    paste_and_check(browser, server, letter + "\n\n" + letter[:1800])  # the letter and its start again
    assert browser.current_url.endswith("/check")  # posted: too long for a URL
    assert browser.find_element(By.CSS_SELECTOR, "h1.verdict").text.startswith("Loose")
    assert browser.find_element(By.CSS_SELECTOR, "article.match a.cid").text == SCHULMAN


def test_the_search_offers_the_check_for_a_pasted_sentence(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(server + "/")
    browser.find_element(By.ID, "q").send_keys("„Ich verlasse OpenAI nicht aufgrund mangelnder"
                                               " Unterstützung für die Ausrichtungsforschung“", Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.hit"))
    browser.find_element(By.LINK_TEXT, "Check this quote").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "h1.verdict"))
    assert browser.find_element(By.CSS_SELECTOR, "h1.verdict").text.startswith("Verbatim")
    assert browser.find_element(By.CSS_SELECTOR, "article.match a.cid").text == f"{SCHULMAN}/p3.s1"


@pytest.mark.parametrize("path", ["/check", "/check?quote=" + MISQUOTE.replace(" ", "+"),
                                  "/check?quote=Die+Bahn+kommt+heute+wieder+viel+zu+sp%C3%A4t&speaker=schulman"])
def test_the_check_page_fits_a_360px_phone(browser, server, path):
    browser.set_window_size(360, 740)
    browser.get(server + path)
    inner = browser.execute_script("return window.innerWidth")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= inner, f"{path} is {width}px wide in a {inner}px viewport"
    assert browser.execute_script(WIDER_THAN_VIEWPORT) == []
    snap(browser, f"phone check {path[:40]}")


def test_hostile_quotes_and_hostile_records_stay_text(browser, server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    quote = f"Zweiter Absatz {MARKER}. {SCRIPT}"  # the second paragraph of a hostile record
    paste_and_check(browser, server, quote)
    assert_nothing_ran(browser)
    assert browser.find_element(By.ID, "quote").get_attribute("value") == quote
    assert browser.find_element(By.CSS_SELECTOR, "h1.verdict").text.startswith("Verbatim")
    match = browser.find_element(By.CSS_SELECTOR, "article.match")
    assert match.find_element(By.CSS_SELECTOR, "blockquote.passage").text == quote[:-1]
    assert "printed by <b>'><svg onload=alert(2)></b>" in match.find_element(
        By.CSS_SELECTOR, ".translation-note").text  # a hostile publisher and note, as text
    paste_and_check(browser, server, f'{MARKER} "><img src=x onerror=alert(1)> <b>fett</b>')
    assert_nothing_ran(browser)
    browser.set_window_size(360, 740)
    assert browser.execute_script(WIDER_THAN_VIEWPORT) == []
    snap(browser, "check hostile")
