"""Accessibility in headless Chromium against the real server: axe-core's audit of the main
pages at desktop and phone width (no serious or critical violation), and keyboard use — the
search box, facets, copy buttons, Cite sections and the check form reached with Tab and worked
with Enter and Space, each showing where the focus is."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.test_browser import wait_for
from tests.test_hostile_browser import active, tab_until

pytestmark = pytest.mark.browser

SCHULMAN = "FGPN-RXWX"
MISQUOTE = "Ich+habe+die+schwere+Entscheidung+getroffen%2C+OpenAI+zu+verlassen"
AUDITED = {
    "search results": "/search?q=OpenAI",
    "permalink with the Cite box open": f"/s/{SCHULMAN}",
    "check with a result": f"/check?quote={MISQUOTE}&speaker=schulman",
    "check, empty, with the bookmarklet": "/check",
    "speaker": "/speakers/john-schulman",
    "404": "/s/EGYN-543B",
    "quote card (embed)": f"/s/{SCHULMAN}/embed",
}
WIDTHS = (1280, 360)
BLOCKING = ("serious", "critical")
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  result => done(result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                              targets: v.nodes.map(n => n.target.join(' '))}))),
  error => done([{id: 'axe-error', impact: 'critical', help: String(error), targets: []}]));
"""
# Where the focus is, as the user sees it: an outline or a box shadow, on screen.
FOCUS_SHOWN = """
const e = document.activeElement, style = getComputedStyle(e), box = e.getBoundingClientRect();
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
                && style.outlineColor !== 'rgba(0, 0, 0, 0)';
const shadow = style.boxShadow !== 'none';
const inView = box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth;
return (outline || shadow) && inView;
"""


def axe_violations(browser, axe_source: str) -> list[dict]:
    browser.execute_script(axe_source)
    return browser.execute_async_script(RUN_AXE)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", AUDITED)
def test_axe_finds_no_serious_or_critical_violation(browser, live_server, axe_source, page, width):
    browser.set_window_size(width, 900)
    browser.get(live_server + AUDITED[page])
    if page.startswith("permalink"):
        summaries = browser.find_elements("css selector", "#cite details:not([open]) summary")
        assert summaries
        for summary in summaries:
            summary.click()
    violations = axe_violations(browser, axe_source)
    blocking = [f"{v['impact']} {v['id']} ({v['help']}): {v['targets'][:5]}"
                for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{page} at {width} px"


def assert_focus_shown(browser) -> None:
    assert browser.execute_script(FOCUS_SHOWN), f"no visible focus on {active(browser)}"


def press(browser, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).send_keys(*keys).perform()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_box_and_the_facets_work_by_keyboard(browser, live_server, width):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(width, 900)
    browser.get(live_server + "/")
    tab_until(browser, lambda e: e["cls"] == "skip", limit=1)  # the first stop skips to the content
    assert_focus_shown(browser)
    tab_until(browser, lambda e: e["tag"] == "INPUT")
    assert_focus_shown(browser)
    press(browser, "OpenAI", Keys.ENTER)
    wait_for(browser, lambda d: "q=OpenAI" in d.current_url)

    passed = tab_until(browser, lambda e: "speaker=john-schulman" in (e["href"] or ""), limit=150)
    assert all(before != after for before, after in pairwise(passed))  # each Tab moved on
    assert_focus_shown(browser)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: "speaker=john-schulman" in d.current_url)
    cids = browser.find_elements("css selector", "li.hit a.cid")
    assert cids and all(c.text.startswith(SCHULMAN) for c in cids)

    tab_until(browser, lambda e: e["text"] == "×", limit=150)  # remove the filter
    assert_focus_shown(browser)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: "speaker=" not in d.current_url)


@pytest.mark.parametrize("width", WIDTHS)
def test_copy_buttons_and_cite_sections_work_by_keyboard(browser, live_server, width):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(width, 900)
    browser.get(f"{live_server}/s/{SCHULMAN}")
    tab_until(browser, lambda e: e["tag"] == "BUTTON" and "copy" in e["cls"])  # the citation ID's
    assert_focus_shown(browser)
    press(browser, Keys.SPACE)
    wait_for(browser, lambda d: d.switch_to.active_element.text == "Copied")

    tab_until(browser, lambda e: e["tag"] == "SUMMARY" and e["text"] == "MLA 9", limit=150)
    assert_focus_shown(browser)
    mla = browser.find_element("css selector", "details[data-style='mla']")
    assert mla.get_attribute("open") is None
    press(browser, Keys.SPACE)
    wait_for(browser, lambda d: mla.get_attribute("open") is not None)
    assert mla.find_element("tag name", "pre").is_displayed()
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: mla.get_attribute("open") is None)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: mla.get_attribute("open") is not None)
    tab_until(browser, lambda e: e["tag"] == "BUTTON" and "copy" in e["cls"], limit=1)
    assert browser.switch_to.active_element.get_attribute("aria-label") == "Copy MLA 9 citation"
    assert_focus_shown(browser)
    press(browser, Keys.SPACE)
    wait_for(browser, lambda d: "done" in d.switch_to.active_element.get_attribute("class"))


def test_the_check_form_works_by_keyboard(browser, live_server):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    browser.get(live_server + "/check")
    tab_until(browser, lambda e: e["tag"] == "TEXTAREA")
    assert_focus_shown(browser)
    press(browser, "Ich habe die schwere Entscheidung getroffen, OpenAI zu verlassen")
    tab_until(browser, lambda e: e["tag"] == "BUTTON" and e["text"] == "Check", limit=3)
    assert_focus_shown(browser)
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements("css selector", "h1.verdict"))
    assert browser.find_element("css selector", "h1.verdict").text.startswith("Close")
