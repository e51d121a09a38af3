"""The real browser (headless Chromium against gunicorn on loopback): hostile records render as
text (no dialog, no injected element, direction overrides kept inside their field), umlauts
typed into the search box, keyboard-only use of results, copy buttons and the Cite box, a
permalink with a paragraph locator, and the 404 page's near miss."""

from __future__ import annotations

import pytest

from tests.conftest import running_server
from tests.hostile_records import HOSTILE_NAME, IMG, MARKER, SCRIPT, build_hostile_archive

pytestmark = pytest.mark.browser

ALTMAN = "EGYN-534B"
# The one script link a page may hold is the check page's own bookmarklet.
INJECTED = ("[...document.querySelectorAll('img, svg, iframe, object, embed, base, "
            "script:not([src=\"/static/app.js\"]), [onerror], [onload], [onmouseover], "
            "a[href^=\"javascript\" i]:not(aside.check-anywhere > p > a.bookmarklet)')]"
            ".map(e => e.outerHTML.slice(0, 80))")


def wait_for(driver, condition, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def assert_nothing_ran(browser) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = browser.switch_to.alert.text
    except NoAlertPresentException:
        text = None
    assert text is None, f"a dialog opened: {text!r}"
    assert browser.execute_script(f"return {INJECTED}") == []
    assert browser.execute_script("return window.__verbatim_pwned === undefined")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    hostile = build_hostile_archive(tmp_path_factory.mktemp("hostile-browser") / "data")
    with running_server(hostile.data_dir) as base_url:
        yield base_url, hostile


def test_hostile_records_render_as_text_on_every_page(browser, hostile_server):
    from selenium.webdriver.common.by import By

    base_url, hostile = hostile_server
    browser.set_window_size(1280, 900)
    pages = [f"/search?q={MARKER}", f"/s/{hostile.statement_id}", f"/s/{hostile.statement_id}/p2.s1",
             f"/s/{hostile.statement_id}@1", f"/s/{hostile.big_id}", f"/s/{hostile.withdrawn_id}",
             "/speakers", "/speakers/hostile-person", "/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
             "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", f"/search?q={MARKER}&platform=%3Cscript%3E"]
    for path in pages:
        browser.get(base_url + path)
        assert_nothing_ran(browser)
    browser.get(f"{base_url}/s/{hostile.statement_id}")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert SCRIPT in body and IMG in body
    assert "Eve" in browser.find_element(By.TAG_NAME, "h1").text
    cite = browser.find_element(By.CSS_SELECTOR, "details[data-style='apa'] pre").text
    assert "<script>" in cite


def test_a_direction_override_stays_inside_its_field(browser, hostile_server):
    """A speaker name ending in U+202E must not reverse the date and kind shown after it."""
    from selenium.webdriver.common.by import By

    base_url, hostile = hostile_server
    browser.set_window_size(1280, 900)
    browser.get(f"{base_url}/search?q={MARKER}+speaker:hostile-person")
    meta = browser.find_element(By.CSS_SELECTOR, "li.hit .meta")
    name = meta.find_element(By.TAG_NAME, "a")
    when = meta.find_element(By.TAG_NAME, "time")
    assert HOSTILE_NAME.split(" ")[0] in name.text
    left_of = browser.execute_script(
        "return arguments[0].getBoundingClientRect().right <= arguments[1].getBoundingClientRect().left + 1",
        name, when)
    assert left_of, "the date is drawn before the speaker's name: the override leaked out"


def test_umlauts_typed_into_the_search_box_find_the_statement(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server + "/")
    browser.find_element(By.ID, "q").send_keys("Überlegungen Gesellschaft", Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.hit a.cid"))
    assert "q=%C3%9Cberlegungen+Gesellschaft" in browser.current_url
    assert [h.text for h in browser.find_elements(By.CSS_SELECTOR, "li.hit a.cid")] == [ALTMAN]
    assert browser.find_element(By.ID, "q").get_attribute("value") == "Überlegungen Gesellschaft"
    assert "Überlegungen" in browser.find_element(By.CSS_SELECTOR, "li.hit mark").text
    # the same words typed without umlauts find the same statement
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("Ueberlegungen gesellschaft", Keys.ENTER)
    wait_for(browser, lambda d: "Ueberlegungen" in d.current_url)
    assert [h.text for h in browser.find_elements(By.CSS_SELECTOR, "li.hit a.cid")] == [ALTMAN]


def active(browser) -> dict:
    return browser.execute_script(
        "const e = document.activeElement; return {tag: e.tagName, cls: e.className,"
        " text: (e.textContent || '').trim().slice(0, 40), href: e.getAttribute('href')}")


def tab_until(browser, wanted, limit: int = 80) -> list[dict]:
    """Press Tab until ``wanted(active element)``; returns the elements passed on the way."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    passed = []
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        element = active(browser)
        passed.append(element)
        if wanted(element):
            return passed
    raise AssertionError(f"Tab never reached it; passed {passed[-10:]}")


def test_keyboard_only_search_results_copy_buttons_and_cite_box(browser, live_server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(live_server + "/")
    tab_until(browser, lambda e: e["tag"] == "INPUT")  # skip link, brand, nav, then the box
    ActionChains(browser).send_keys("Auszeit", Keys.ENTER).perform()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.hit a.cid"))
    first_id = browser.find_element(By.CSS_SELECTOR, "li.hit a.cid").text

    passed = tab_until(browser, lambda e: "cid" in e["cls"])
    assert passed[-1]["text"] == first_id  # the first result's ID is reached in reading order
    tab_until(browser, lambda e: e["tag"] == "BUTTON" and "copy" in e["cls"], limit=2)
    ActionChains(browser).send_keys(Keys.ENTER).perform()  # the copy button works by keyboard
    wait_for(browser, lambda d: "done" in d.switch_to.active_element.get_attribute("class"))
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert active(browser)["text"] == first_id
    ActionChains(browser).send_keys(Keys.ENTER).perform()  # Enter follows the link
    wait_for(browser, lambda d: f"/s/{first_id}" in d.current_url)

    # the Cite box: open BibTeX with the keyboard and reach its copy button
    tab_until(browser, lambda e: e["tag"] == "SUMMARY" and e["text"] == "BibTeX", limit=150)
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    bibtex = browser.find_element(By.CSS_SELECTOR, "details[data-style='bibtex']")
    wait_for(browser, lambda d: bibtex.get_attribute("open") is not None)
    assert first_id in bibtex.find_element(By.TAG_NAME, "pre").text
    tab_until(browser, lambda e: e["tag"] == "BUTTON" and "copy" in e["cls"], limit=3)
    assert browser.switch_to.active_element.get_attribute("aria-label") == "Copy BibTeX citation"


def test_a_paragraph_locator_is_highlighted_and_cited(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 700)
    browser.get(f"{live_server}/s/{ALTMAN}/p2")
    target = browser.find_element(By.ID, "p2")
    assert "located" in target.get_attribute("class")
    assert browser.execute_script("return document.activeElement.id") == "p2"
    assert "p2" in browser.find_element(By.ID, "cite-heading").text
    assert "para. 2" in browser.find_element(By.ID, "cite-apa").text
    assert f"{ALTMAN}/p2" in browser.find_element(By.ID, "cite-bibtex").get_attribute("textContent")


def test_the_404_page_offers_the_near_miss(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server}/s/EGYN-543B")  # two characters swapped
    assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
    suggestion = browser.find_element(By.CSS_SELECTOR, "p.suggestion a")
    assert suggestion.text == ALTMAN
    suggestion.click()
    wait_for(browser, lambda d: d.current_url.endswith(f"/s/{ALTMAN}"))
    assert browser.find_element(By.CSS_SELECTOR, "code.cid.big").text == ALTMAN
