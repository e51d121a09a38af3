"""The Host headers the app serves, and the base of every absolute URL it writes.

A citation's permalink is permanent, so absolute URLs (permalinks, the API's ``url`` fields,
the OpenAPI ``servers``) come from configuration, ``BASE_URL``, never from whatever Host
header a request carries. Only the hosts in ``ALLOWED_HOSTS`` are served (the convention of
Django's ``ALLOWED_HOSTS``): a request naming any other Host is answered with 400 before it
is routed, so no page, redirect or cached response ever names that host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from web.errors import ApiError

# Served when no ALLOWED_HOSTS are configured: this machine's loopback names, any port.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Where the command line's permalinks point when no BASE_URL is configured: `flask run`'s address.
LOCAL_BASE_URL = "http://127.0.0.1:5000"
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$")


class HostConfigurationError(ValueError):
    """``BASE_URL`` or ``ALLOWED_HOSTS`` is not usable; the message says which and why."""


def read_base_url(value: str) -> str:
    """``https://verbatim.example`` (or with a path prefix) without a trailing slash; '' for
    none. HostConfigurationError for anything that is not an http(s) address."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise HostConfigurationError(
            f"BASE_URL: {value!r} must be an http or https address such as https://verbatim.example")
    return value.rstrip("/")


def read_allowed_hosts(value: str | list | tuple | None, base_url: str) -> tuple[str, ...]:
    """The configured host names (a comma-separated string or a list), in lower case; by
    default the loopback names and the host of ``base_url``."""
    if value is None or value == "":
        hosts = list(DEFAULT_ALLOWED_HOSTS)
        if base_url:
            hosts.append(urlsplit(base_url).hostname or "")
    else:
        hosts = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(host.strip().lower() for host in hosts if host and host.strip())
    if not names:
        raise HostConfigurationError("ALLOWED_HOSTS: names no host at all")
    return names


def host_name(host_header: str) -> str:
    """The host of a ``Host`` header without its port, in lower case ('' when malformed);
    an IPv6 literal keeps its brackets."""
    match = _HOST.match(host_header.strip())
    if not match or (match[2] and not 1 <= int(match[2]) <= 65535):
        return ""
    return match[1].lower().rstrip(".")


def is_allowed_host(name: str, allowed: tuple[str, ...]) -> bool:
    """``*`` allows every host; ``.example.org`` allows it and its subdomains."""
    if not name:
        return False
    for pattern in allowed:
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith(".") and (name == pattern[1:] or name.endswith(pattern)):
            return True
    return False


def refuse_unknown_host() -> None:
    header = request.headers.get("Host", "")
    if not is_allowed_host(host_name(header), current_app.config["ALLOWED_HOSTS"]):
        raise ApiError(400, f"This server does not answer for the host {header[:100]!r}; the"
                            " operator can add it to VERBATIM_ALLOWED_HOSTS.", code="unknown_host")


def absolute_url(path: str) -> str:
    """``path`` (from ``url_for``) on the configured base URL, or on this request's
    (allowed) host when none is configured."""
    base = current_app.config["BASE_URL"] or request.host_url.rstrip("/")
    return base + path


def init_app(app: Flask) -> None:
    app.config["BASE_URL"] = read_base_url(app.config["BASE_URL"])
    app.config["ALLOWED_HOSTS"] = read_allowed_hosts(app.config["ALLOWED_HOSTS"], app.config["BASE_URL"])
    app.before_request(refuse_unknown_host)
    app.add_template_global(absolute_url)
