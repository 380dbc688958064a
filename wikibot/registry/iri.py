"""IRIs as RFC 3987 defines them (pure): a website is written to the Wikibase (url datatype) and,
from there, into RDF as an IRI (``wdt:P… <https://…>``), where a store refuses what is not one.

``iri_problem`` checks an absolute IRI with an authority (``scheme://host/path?query#fragment``)
against the RFC's grammar: characters outside it (spaces, ``<>"{}|\\^```, controls), a ``%``
not followed by two hex digits, a bad port or host.  Whatever it accepts, pyoxigraph's IRI
parser accepts too (a property test in the suite checks it).
"""

from __future__ import annotations

import re

_UCS = ("\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
        "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd\U00070000-\U0007fffd"
        "\U00080000-\U0008fffd\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd"
        "\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd")
_PRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_UNRESERVED = f"A-Za-z0-9\\-._~{_UCS}"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_PCHAR = f"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@]|{_PCT})"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_USERINFO = re.compile(f"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:]|{_PCT})*")
_REG_NAME = re.compile(f"(?:[{_UNRESERVED}{re.escape(_SUB_DELIMS)}]|{_PCT})*")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
_IP_LITERAL = re.compile(r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]")
_PATH = re.compile(f"(?:/{_PCHAR}*)*")
_QUERY = re.compile(f"(?:{_PCHAR}|[{_PRIVATE}/?])*")
_FRAGMENT = re.compile(f"(?:{_PCHAR}|[/?])*")


def iri_problem(text: str) -> str | None:
    """Why ``text`` is not an absolute IRI with an authority, or None when it is one."""
    scheme, sep, rest = text.partition("://")
    if not sep or not _SCHEME.fullmatch(scheme):
        return "it has no scheme followed by '://'"
    rest, hash_sign, fragment = rest.partition("#")
    rest, question, query = rest.partition("?")
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    userinfo, at, hostport = authority.rpartition("@")
    if at and not _USERINFO.fullmatch(userinfo):
        return f"the part before '@' ({userinfo!r}) holds characters an IRI cannot hold"
    if hostport.startswith("["):
        end = hostport.find("]")
        host, port = hostport[: end + 1], hostport[end + 1:]
        if end < 0 or not _IP_LITERAL.fullmatch(host):
            return f"{hostport!r} is not a host"
        if port and not re.fullmatch(r":[0-9]*", port):
            return f"{port!r} is not a port"
    else:
        host, colon, port = hostport.partition(":")
        if (colon and not port.isascii()) or (colon and not re.fullmatch(r"[0-9]*", port)):
            return f"{port!r} is not a port"
        if not host:
            return "it has no host"
        if not (_IPV4.fullmatch(host) or _REG_NAME.fullmatch(host)):
            return f"the host {host!r} holds characters an IRI cannot hold"
    for part, pattern, extra, what in ((path, _PATH, "/", "path"), (query, _QUERY, f"/?{_PRIVATE}", "query"),
                                       (fragment, _FRAGMENT, "/?", "fragment")):
        if not pattern.fullmatch(part):
            return f"its {what} holds {_first_bad(part, extra)!r}, which an IRI cannot hold (write it percent-encoded)"
    del hash_sign, question
    return None


def _first_bad(part: str, extra: str) -> str:
    """The first character of ``part`` that no IRI component of its kind may hold."""
    one = re.compile(f"[{_UNRESERVED}{re.escape(_SUB_DELIMS)}:@{extra}]")
    for i, char in enumerate(part):
        if char == "%":
            if not re.fullmatch(_PCT, part[i:i + 3]):
                return part[i:i + 3]
        elif not one.fullmatch(char):
            return char
    return part
