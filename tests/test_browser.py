"""End-to-end in headless Chromium against the real server (gunicorn) on loopback.

With ``VERBATIM_SCREENSHOTS=DIR`` set, the tests also leave screenshots of what they saw in DIR
(search results, a statement, the Cite box, each page on a 360 px phone).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ALTMAN, SCHULMAN, BROCKMAN = "EGYN-534B", "FGPN-RXWX", "M53G-3GCT"


def snap(driver, name: str) -> None:
    """Keep a screenshot when VERBATIM_SCREENSHOTS names a folder."""
    folder = os.environ.get("VERBATIM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(Path(folder) / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"))


def wait_for(driver, condition, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_search_facet_statement_cite_and_reply_link(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(live_server + "/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("Führungskräfte OR Auszeit", Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.hit"))
    assert "q=F%C3%BChrungskr%C3%A4fte+OR+Auszeit" in browser.current_url  # the query is in the URL
    marks = browser.find_elements(By.CSS_SELECTOR, "li.hit mark")
    assert marks and all(m.is_displayed() for m in marks[:3])
    snap(browser, "search results")

    # narrow by a facet, then remove it again
    count_before = browser.find_element(By.ID, "result-count").text
    browser.find_element(By.CSS_SELECTOR, "aside.facets a[href*='speaker=greg-brockman']").click()
    wait_for(browser, lambda d: "speaker=greg-brockman" in d.current_url)
    hits = browser.find_elements(By.CSS_SELECTOR, "li.hit a.cid")
    assert [h.text for h in hits] == [BROCKMAN]
    browser.find_element(By.CSS_SELECTOR, "ul.active-filters a").click()
    wait_for(browser, lambda d: "speaker=" not in d.current_url)
    assert browser.find_element(By.ID, "result-count").text == count_before
    browser.back()
    wait_for(browser, lambda d: "speaker=greg-brockman" in d.current_url)

    # open the statement, copy its ID, use the Cite box
    browser.find_element(By.CSS_SELECTOR, "li.hit a.cid").click()
    wait_for(browser, lambda d: f"/s/{BROCKMAN}" in d.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "code.cid.big").text == BROCKMAN
    snap(browser, "statement")
    copy = browser.find_element(By.CSS_SELECTOR, ".cidline button.copy")
    copy.click()
    wait_for(browser, lambda d: "done" in copy.get_attribute("class"))
    copied = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, () => done(null));")
    if copied is not None:  # reading the clipboard back needs a permission headless may refuse
        assert copied == BROCKMAN
    bibtex = browser.find_element(By.CSS_SELECTOR, "details[data-style='bibtex']")
    bibtex.find_element(By.TAG_NAME, "summary").click()
    pre = bibtex.find_element(By.TAG_NAME, "pre")
    assert pre.is_displayed() and "@misc" in pre.text and BROCKMAN in pre.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", bibtex)
    snap(browser, "cite box")

    # follow a reply to this post, and back up the in-reply-to link
    browser.find_element(By.CSS_SELECTOR, "a[href='/s/N5NT-5ZJF']").click()
    wait_for(browser, lambda d: "/s/N5NT-5ZJF" in d.current_url)
    assert "Unnamed X user" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "dl.facts a[rel='related']").click()
    wait_for(browser, lambda d: f"/s/{BROCKMAN}" in d.current_url)


def test_locator_scrolls_to_and_highlights_the_sentence(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 600)
    browser.get(f"{live_server}/s/{SCHULMAN}/p6.s2")
    target = browser.find_element(By.ID, "p6-s2")
    assert "located" in target.get_attribute("class")
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top <= 600, "the located sentence is not in view"
    assert browser.execute_script("return document.activeElement.id") == "p6-s2"


@pytest.mark.parametrize("path", ["/search?q=OpenAI", f"/s/{SCHULMAN}", "/speakers/john-schulman", "/help"])
def test_nothing_overflows_on_a_360px_phone(browser, live_server, path, tmp_path):
    browser.set_window_size(360, 740)
    browser.get(live_server + path)
    inner = browser.execute_script("return window.innerWidth")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= inner, f"{path} is {width}px wide in a {inner}px viewport"
    wide = browser.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)")
    assert wide == []
    assert browser.save_screenshot(str(tmp_path / "phone.png"))
    snap(browser, f"phone {path}")
