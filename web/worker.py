"""The production server's worker: gunicorn's threaded worker whose own error answers (a
request line over 4094 bytes, too many or too large headers, a malformed request) carry the
app's security headers and its one JSON error shape instead of gunicorn's bare HTML page.

Run it as ``gunicorn --worker-class web.worker.ThreadWorker …`` (README). Gunicorn still
decides what is wrong and which status it gets; only the bytes it would send are replaced.
"""

from __future__ import annotations

import json

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from web.errors import CODES, error_payload
from web.headers import SECURITY_HEADERS


class _ErrorCapture:
    """Stands in for the client socket while gunicorn writes its error page, keeping the bytes."""

    def __init__(self) -> None:
        self.sent = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.sent += data


def render_server_error(gunicorn_answer: bytes) -> bytes:
    """The HTTP answer for gunicorn's own error answer: same status, the JSON error shape, the
    security headers, the connection closed."""
    status_line = gunicorn_answer.split(b"\r\n", 1)[0].decode("latin-1")
    try:
        _, code, reason = status_line.split(" ", 2)
        status = int(code)
    except ValueError:
        status, reason = 400, "Bad Request"
    message = {400: "The request is malformed.", 403: "The request is forbidden.",
               431: "The request's header fields are too large.",
               501: "The request's transfer coding is not supported."}.get(
                   status, "The server could not answer this request.")
    body = json.dumps(error_payload(status, CODES.get(status, "error"), message)).encode()
    headers = {"Connection": "close", "Content-Type": "application/json",
               "Content-Length": str(len(body)), **SECURITY_HEADERS}
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{name}: {value}\r\n"
                                                       for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


class ThreadWorker(GunicornThreadWorker):
    """gunicorn's ``gthread`` worker with the app's headers on gunicorn's own error answers."""

    def handle_error(self, req, client, addr, exc) -> None:
        capture = _ErrorCapture()
        super().handle_error(req, capture, addr, exc)
        if not capture.sent:
            return
        try:
            client.sendall(render_server_error(capture.sent))
        except OSError:
            self.log.debug("Failed to send error message.")
