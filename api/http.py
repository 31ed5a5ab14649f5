"""The server's HTTP/1.1 parser, answering a request it cannot read with a problem document.

uvicorn answers a request line it cannot parse with `400 Invalid HTTP request received.` in
plain text, before the app sees it. The usual cause is a URL with raw (not percent-encoded)
Chinese, as `curl "…/cases?street=东湖街道"` sends it: the answer then says so, in the same
`application/problem+json` as every other error, and how to send it instead.
"""

from __future__ import annotations

from api.encoding import dumps
from api.problems import PROBLEM_TYPES

UNREADABLE = {
    "type": PROBLEM_TYPES + "request-not-http",
    "title": "The request is not valid HTTP",
    "status": 400,
    "detail": (
        "the request line could not be read: a URL carries only ASCII, so percent-encode "
        "other characters (Chinese in a query: curl -G URL --data-urlencode 'street=东湖街道')"
    ),
}


def problem_response(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    body = dumps(UNREADABLE)
    lines = [b"HTTP/1.1 400 Bad Request\r\n"]
    lines += [name + b": " + value + b"\r\n" for name, value in default_headers]
    lines += [
        b"content-type: application/problem+json\r\n",
        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
        b"connection: close\r\n",
        b"\r\n",
        body,
    ]
    return b"".join(lines)


try:  # uvicorn's own protocol: httptools when installed (uvicorn[standard]), else h11
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Protocol
except ImportError:  # pragma: no cover
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Protocol  # type: ignore[assignment]


class ProblemProtocol(_Protocol):
    """uvicorn's protocol, answering a request it cannot parse with a problem document."""

    def send_400_response(self, msg: str) -> None:
        self.transport.write(problem_response(self.server_state.default_headers))
        self.transport.close()


PROTOCOL = "api.http:ProblemProtocol"
"""How uvicorn's configuration names it (a string: each worker process imports it)."""
