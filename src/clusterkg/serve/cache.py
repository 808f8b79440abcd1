"""A bounded in-memory cache of public responses.

The served store never changes while the server runs, so a public answer (same request,
same negotiated format) stays right until restart; ETags carry the store build for clients.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

PUBLIC_CACHE_CONTROL = "public, max-age=600"
PRIVATE_CACHE_CONTROL = "private, no-store"


@dataclass
class Cached:
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


class ResponseCache:
    """Least-recently-used, bounded by total bytes; entries larger than `max_entry` are not kept."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entry: int = 4 * 1024 * 1024) -> None:
        self.max_bytes, self.max_entry = max_bytes, max_entry
        self._entries: OrderedDict[str, Cached] = OrderedDict()
        self._size = 0

    def get(self, key: str) -> Cached | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Cached) -> None:
        if len(entry.body) > self.max_entry or key in self._entries:
            return
        self._entries[key] = entry
        self._size += len(entry.body)
        while self._size > self.max_bytes and self._entries:
            _, old = self._entries.popitem(last=False)
            self._size -= len(old.body)


def not_modified(request: Request, etag: str, entry: Cached | None = None) -> bool:
    """True when the client already holds this representation (If-None-Match).

    A listed tag matches `etag`. `*` means "any current representation", so it matches only once
    the representation is known to exist: pass the produced `entry`; an error never matches."""
    tags = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in tags:
        return True
    return "*" in tags and entry is not None and 200 <= entry.status < 300


def respond(entry: Cached, etag: str, private: bool, vary: str) -> Response:
    headers = {
        **entry.headers,
        "ETag": etag,
        "Cache-Control": PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL,
        "Vary": vary,
    }
    return Response(entry.body, entry.status, headers=headers, media_type=entry.media_type)


def not_modified_response(etag: str, private: bool, vary: str) -> Response:
    cache_control = PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL
    return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache_control, "Vary": vary})
