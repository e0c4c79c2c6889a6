"""Downloading a file a person sent: the URL from GET /{media-id}, then the bytes; the token
goes to Meta's hosts only, and a file too big by Meta's word is not fetched."""

from __future__ import annotations

import httpx
import pytest

from bot.core.errors import InvalidInput, Rejected
from tests.whatsapp.test_graph import TOKEN, Handler, client

JPEG = b"\xff\xd8\xff\xe0 a photo"


def meta(url: str, size: int = len(JPEG)) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/1234567890"):
            body = {"url": url, "mime_type": "image/jpeg", "file_size": size, "id": "1234567890"}
            return httpx.Response(200, json=body)
        return httpx.Response(200, content=JPEG)

    return answer


async def test_the_bytes_come_from_metas_download_host_with_the_token() -> None:
    seen: list[httpx.Request] = []
    url = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1234567890"
    async with client(meta(url), seen) as graph:
        assert await graph.download_media("1234567890", 1024) == (JPEG, "image/jpeg")
    assert [r.url.host for r in seen] == ["graph.test", "lookaside.fbsbx.com"]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in seen)


async def test_a_url_on_another_host_never_gets_the_token() -> None:
    seen: list[httpx.Request] = []
    async with client(meta("https://evil.example/steal"), seen) as graph:
        with pytest.raises(Rejected):
            await graph.download_media("1234567890", 1024)
    assert [r.url.host for r in seen] == ["graph.test"]


async def test_a_file_too_big_is_not_fetched() -> None:
    seen: list[httpx.Request] = []
    url = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1234567890"
    async with client(meta(url, size=30 * 1024 * 1024), seen) as graph:
        with pytest.raises(InvalidInput):
            await graph.download_media("1234567890", 20 * 1024 * 1024)
    assert len(seen) == 1
