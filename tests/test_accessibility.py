"""Accessibility in headless Chromium against the real server: axe-core's audit of the main
pages at desktop and phone width (no serious or critical violation)."""

from __future__ import annotations

import pytest

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
