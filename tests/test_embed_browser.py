"""The quote card framed by a page of another origin, in headless Chromium against the real
server: the card shows, the permalink beside it is refused, and the card's link opens a new tab."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.test_browser import snap, wait_for

pytestmark = pytest.mark.browser

SCHULMAN = "FGPN-RXWX"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def other_origin(folder: Path):
    """A plain static file server for ``folder`` on another loopback port: another origin."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_page_of_another_origin_frames_the_card_but_not_the_permalink(browser, live_server, tmp_path):
    from selenium.webdriver.common.by import By

    permalink = f"{live_server}/s/{SCHULMAN}/p2.s1"
    query = urllib.parse.urlencode({"url": permalink, "format": "json"})
    with urllib.request.urlopen(f"{live_server}/oembed?{query}", timeout=10) as answer:
        oembed = json.load(answer)
    (tmp_path / "article.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>An article</title>"
        f"<h1>An article quoting Schulman</h1><div id='card'>{oembed['html']}</div>"
        f"<iframe id='page' src='{permalink}' width='560' height='200'></iframe>", encoding="utf-8")
    with other_origin(tmp_path) as origin:
        browser.set_window_size(1280, 900)
        browser.get(f"{origin}/article.html")
        card = browser.find_element(By.CSS_SELECTOR, "#card iframe")
        page = browser.find_element(By.ID, "page")
        assert card.size["width"] == oembed["width"] and card.size["height"] == oembed["height"]

        browser.switch_to.frame(card)
        quote = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "blockquote"))[0]
        assert quote.text == "Ich habe die schwierige Entscheidung getroffen, OpenAI zu verlassen."
        assert quote.value_of_css_property("border-left-style") == "solid"  # the inline style applied
        link = browser.find_element(By.CSS_SELECTOR, "a.cid")
        assert link.text == f"{SCHULMAN}/p2.s1"
        browser.switch_to.default_content()
        snap(browser, "embedded card")

        browser.switch_to.frame(page)  # the permalink refuses to be framed: an empty error page
        assert not browser.find_elements(By.CSS_SELECTOR, "code.cid")
        assert "schwierige Entscheidung" not in browser.find_element(By.TAG_NAME, "html").text
        browser.switch_to.default_content()

        tabs = browser.window_handles
        browser.switch_to.frame(card)
        browser.find_element(By.CSS_SELECTOR, "a.cid").click()
        wait_for(browser, lambda d: len(d.window_handles) == len(tabs) + 1)
        (opened,) = set(browser.window_handles) - set(tabs)
        browser.switch_to.window(opened)
        wait_for(browser, lambda d: d.current_url == permalink)
        assert browser.execute_script("return window.opener") is None  # rel=noopener
        browser.close()
        browser.switch_to.window(tabs[0])
