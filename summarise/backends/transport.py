"""A transport for llama-cpp-python's server: OpenAI's `json_schema` format in its own form."""

from __future__ import annotations

import json

import httpx2

__all__ = ["AsyncLlamaCppTransport", "LlamaCppTransport", "rewrite_json_schema"]


def rewrite_json_schema(request: httpx2.Request) -> httpx2.Request:
    """Turn `response_format.type == "json_schema"` into llama-cpp-python's form.

    llama-cpp-python's server rejects the OpenAI `json_schema` type but builds a grammar from
    `{"type": "json_object", "schema": ...}`; this keeps the schema out of the prompt.
    """
    if request.method != "POST" or not request.url.path.endswith("/chat/completions"):
        return request
    body = json.loads(request.read() or b"{}")
    fmt = body.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return request
    body["response_format"] = {"type": "json_object", "schema": fmt["json_schema"]["schema"]}
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx2.Request(
        request.method,
        request.url,
        headers=headers,
        content=json.dumps(body).encode("utf-8"),
        extensions=request.extensions,
    )


class LlamaCppTransport(httpx2.BaseTransport):
    """A sync transport that applies `rewrite_json_schema` before sending."""

    def __init__(self) -> None:
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._inner.handle_request(rewrite_json_schema(request))

    def close(self) -> None:
        self._inner.close()


class AsyncLlamaCppTransport(httpx2.AsyncBaseTransport):
    """The async twin of `LlamaCppTransport`."""

    def __init__(self) -> None:
        self._inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self._inner.handle_async_request(rewrite_json_schema(request))

    async def aclose(self) -> None:
        await self._inner.aclose()
