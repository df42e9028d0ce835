"""The batch API's transport: each chat completion is parked with the `Batcher` (to go up in
the next batch) instead of being sent; any other request goes to the network as usual."""

from __future__ import annotations

import httpx2

from .batch_api import Batcher

__all__ = ["Parking"]


class Parking(httpx2.AsyncBaseTransport):
    """An httpx transport whose chat completions are answered from batch results."""

    def __init__(self, batcher: Batcher) -> None:
        self._batcher = batcher
        self._network = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """A chat completion's answer from its batch; anything else from the server."""
        if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
            return await self._network.handle_async_request(request)
        status, content, kind = await self._batcher.ask(await request.aread())
        return httpx2.Response(
            status, headers={"content-type": kind}, content=content, request=request
        )

    async def aclose(self) -> None:
        """Close the connections of the requests that were sent."""
        await self._network.aclose()
