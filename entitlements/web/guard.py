"""What stands between a request and the calculator: the token, the browser's session, the body's
size, the Host and the Origin. Each refuses with a named reason; the routes never see a request
that fails one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def token_required(host: str) -> bool:
    """Bound beyond this machine, every request must carry the token."""
    return host not in LOCAL_HOSTS


class BodyTooLarge(Exception):
    """A request body past the upload limit, however it was sent (with a Content-Length or chunked)."""


class BodyLimit:
    """ASGI middleware counting each request body's bytes as they arrive: past ``limit`` the body
    stops (BodyTooLarge, answered 413), so a chunked upload without a Content-Length is held to the
    limit too, and no more than the limit is ever read."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)


def token_given(headers, cookies, query, cookie_name: str, token: str) -> bool:
    """Any of the places a token may come in (Authorization: Bearer, the cookie the printed link
    set, ?token=) carrying it: a proxy's own Authorization header does not hide a good cookie."""
    offered = [cookies.get(cookie_name, ""), query.get("token", "")]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        offered.append(value.strip())
    return any(secrets.compare_digest(o.encode(), token.encode()) for o in offered if o)


class Sessions:
    """Session ids this server issued, signed: a browser cannot choose its own (or another's)."""

    def __init__(self):
        self.key = secrets.token_bytes(32)

    def _mac(self, nonce: str) -> str:
        digest = hmac.new(self.key, nonce.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    def new(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._mac(nonce)}"

    def valid(self, session: str) -> bool:
        nonce, _, mac = session.partition(".")
        return bool(nonce and mac) and secrets.compare_digest(mac.encode(), self._mac(nonce).encode())


def cross_site(method: str, headers) -> bool:
    """A form posted from another web site (CSRF): its Origin is not this server, or the browser
    says so (Sec-Fetch-Site: cross-site). A request without either header (curl, a script) is not."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != headers.get("host", "")


def host_allowed(headers, allowed: tuple[str, ...] | None) -> bool:
    """Bound to this machine, only this machine's names: a page on another site that rebinds its own
    name to 127.0.0.1 (DNS rebinding) is refused."""
    if allowed is None:
        return True
    host = headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip("[]") in allowed
