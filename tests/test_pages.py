"""HTML pages over the seed collection."""

from __future__ import annotations

import pytest


def test_index_lists_the_seed_statements(client):
    page = client.get("/").get_data(as_text=True)
    for statement_id in ("FGPN-RXWX", "EGYN-534B", "N92U-REDF", "M53G-3GCT", "N5NT-5ZJF", "MJF5-GVT6"):
        assert statement_id in page


def test_permalink_shows_paragraphs_and_hash(client, store):
    response = client.get("/s/FGPN-RXWX")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<p id="p') == 7
    assert store.get_statement("FGPN-RXWX").revision.text_sha256 in page


@pytest.mark.parametrize("variant", ["fgpn-rxwx", "FGPNRXWX", "fgpn rxwx"])
def test_id_variants_redirect_to_the_canonical_url(client, variant):
    response = client.get(f"/s/{variant}")
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith("/s/FGPN-RXWX")


def test_unknown_id_is_404(client):
    assert client.get("/s/FGPN-RXWY").status_code == 404
