"""Store links as proof: the real shapes of each marketplace, anything else refused."""

from __future__ import annotations

import pytest

from bot.services.store_links import store_of

ACCEPTED = [
    ("https://shopee.co.id/warungsiti", "shopee"),
    ("shopee.co.id/shop/123456789", "shopee"),
    ("https://id.shp.ee/AbC123x", "shopee"),
    ("https://www.tokopedia.com/keripiksanan", "tokopedia"),
    ("https://tk.tokopedia.com/ZSabc123/", "tokopedia"),
    ("https://www.tiktok.com/@warung.siti", "tiktok"),
    ("https://vt.tiktok.com/ZSxyz789/", "tiktok"),
    ("https://www.lazada.co.id/shop/warung-siti", "lazada"),
    ("https://www.bukalapak.com/u/sitiaminah", "bukalapak"),
    ("https://www.blibli.com/merchant/warung-siti/WAS-60001", "blibli"),
    ("https://gofood.co.id/malang/restaurant/warung-siti-a1b2c3", "gofood"),
    ("https://gofood.link/a/Xyz123", "gofood"),
    ("https://food.grab.com/id/id/restaurant/warung-siti-delivery/6-C2ABCDEF", "grabfood"),
    ("https://r.grab.com/g/6-20240101_abc", "grabfood"),
    ("https://shopeefood.co.id/malang/warung-siti", "shopeefood"),
]
REFUSED = [
    "warungsiti",
    "https://evil.example/shopee.co.id/warungsiti",
    "https://shopee.com/warungsiti",
    "https://shopee.co.id/search",
    "https://www.instagram.com/warungsiti",
    "https://shopee.co.id/warung siti",
    "https://tokopedia.com.evil.example/warungsiti",
    "",
]


@pytest.mark.parametrize(("link", "market"), ACCEPTED)
def test_a_shop_link_of_each_marketplace_is_taken(link: str, market: str) -> None:
    found = store_of(link)
    assert found is not None and found[0] == market and found[1].startswith("https://")


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_is_refused(text: str) -> None:
    assert store_of(text) is None
