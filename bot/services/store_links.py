"""Store links an owner sends as proof: only the real URL shapes of the marketplaces and food
delivery apps the programme teaches, so a typo or another site is refused with an example.

Shapes (scheme optional, ``www.``/``m.`` allowed): a shop page or a share short link.
"""

from __future__ import annotations

import re

_SLUG = r"[A-Za-z0-9][A-Za-z0-9._\-]{1,80}"
_CODE = r"[A-Za-z0-9_\-]{3,40}"
SHAPES: dict[str, tuple[str, ...]] = {
    "shopee": (
        rf"shopee\.co\.id/{_SLUG}/?",
        r"shopee\.co\.id/shop/\d{3,15}/?",
        rf"shp\.ee/{_CODE}",
        rf"id\.shp\.ee/{_CODE}",
    ),
    "tokopedia": (
        rf"tokopedia\.com/{_SLUG}/?",
        rf"tk\.tokopedia\.com/{_CODE}/?",
        rf"tokopedia\.link/{_CODE}",
    ),
    "tiktok": (
        r"tiktok\.com/@[A-Za-z0-9._]{2,40}/?",
        rf"shop\.tiktok\.com/view/shop/{_CODE}/?",
        rf"vt\.tiktok\.com/{_CODE}/?",
    ),
    "lazada": (rf"lazada\.co\.id/shop/{_SLUG}/?", rf"s\.lazada\.co\.id/{_CODE}"),
    "bukalapak": (rf"bukalapak\.com/u/{_SLUG}/?",),
    "blibli": (rf"blibli\.com/merchant/{_SLUG}/{_CODE}/?",),
    "gofood": (rf"gofood\.co\.id/{_SLUG}/restaurant/{_SLUG}/?", rf"gofood\.link/a/{_CODE}"),
    "grabfood": (
        rf"food\.grab\.com/id/(?:id|en)/restaurant/{_SLUG}(?:/{_CODE})?/?",
        rf"r\.grab\.com/g/{_CODE}",
    ),
    "shopeefood": (rf"shopeefood\.co\.id/{_SLUG}/{_SLUG}/?",),
}
# Paths that are the marketplace's own pages, not a shop.
_NOT_SHOPS = {"search", "cart", "login", "help", "discover", "promo", "mall", "daily_discover"}
_PREFIX = re.compile(r"^(?:https?://)?(?:www\.|m\.)?", re.IGNORECASE)
EXAMPLE = "https://shopee.co.id/warungsiti"


def store_of(text: str) -> tuple[str, str] | None:
    """(marketplace, link as https URL) if ``text`` is a shop link of one, else None."""
    raw = text.strip()
    if not raw or any(c.isspace() for c in raw) or len(raw) > 300:
        return None
    bare = _PREFIX.sub("", raw).split("?", 1)[0].split("#", 1)[0]
    path = bare.lower().split("/")
    first = path[1] if len(path) > 1 else ""
    if first in _NOT_SHOPS:
        return None
    for market, shapes in SHAPES.items():
        if any(re.fullmatch(shape, bare, re.IGNORECASE) for shape in shapes):
            return market, f"https://{bare}"
    return None
