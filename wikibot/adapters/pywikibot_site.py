"""Open a wiki the way pywikibot's configuration names it, for the live adapters.

The only place that turns a configured site name into a pywikibot ``APISite``; pywikibot is
imported here, on first use, so that runs on the local workspace never import it.  Which
account logs in, with which BotPassword or OAuth consumer, the User-Agent and the throttle
all come from pywikibot's ``user-config.py`` (``$PYWIKIBOT_DIR``): wikibot never sees them.

Building a pywikibot site makes requests at once (it asks the wiki who we are), so a wiki
that does not answer shows here first.  ``open_site`` tells the two apart:

* a site pywikibot does not know (no such family, no such code): ``ConfigError`` (exit 2),
  decided before any request;
* a wiki that does not answer (a refused connection, a timeout, a host name not found, HTTP
  5xx), once the bounded wait is over: the adapter's ``UnreachableError`` (exit 1) naming the
  wiki and its URL;
* a refused login: ``LoginError`` (exit 2).

The site built is a ``WikibotSite``: the requests pywikibot makes on its own (userinfo,
tokens, login, siteinfo) wait within the same bound as the adapters' (``Patience`` in
pywikibot_api.py).  pywikibot's process-wide retry settings (``max_retries``, ``retry_max``,
``socket_timeout``) are brought within the bound for the run as well; the user's
``user-config.py`` is not touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..errors import ConfigError, EntityStoreError, LoginError, PageStoreError, UnreachableError

DEFAULT_MAX_WAIT = 180.0  # as pywikibot_api.DEFAULT_MAX_WAIT (not imported: that imports pywikibot)


def _pywikibot() -> Any:
    try:
        import pywikibot  # type: ignore[import-untyped]
    except Exception as error:  # pywikibot reports a broken user-config.py with many types
        raise ConfigError(f"cannot load pywikibot and its user-config.py: {error}") from None
    return pywikibot


def _unknown(name: str, family: str, error: Exception) -> ConfigError:
    where = os.environ.get("PYWIKIBOT_DIR") or "pywikibot's default directory"
    return ConfigError(
        f"pywikibot knows no site {name!r} ({error}); define the family in user-config.py "
        f"(family_files['{family}'] = 'https://…/w/api.php'), read from {where}; "
        "see user-config.py.sample"
    )


_RETRY_SETTINGS = ("max_retries", "retry_wait", "retry_max", "socket_timeout")
_configured: dict[str, Any] = {}  # those settings as user-config.py left them, before the first run changed them


def within(max_wait: float) -> None:
    """pywikibot's own retry settings brought within ``max_wait`` for this process: no more
    retries than fit in it (``retry_wait`` doubling up to ``retry_max``), no wait and no socket
    timeout longer than it, each from what user-config.py set.  (The requests of a
    ``WikibotSite`` keep to the bound anyway; these are for any other pywikibot request.)"""
    config = _pywikibot().config
    if not _configured:
        _configured.update({name: getattr(config, name) for name in _RETRY_SETTINGS})
    retry_max = min(float(_configured["retry_max"]), max_wait)
    first = float(_configured["retry_wait"])
    retries, total = 0, 0.0
    while retries < int(_configured["max_retries"]) and total + min(first * 2 ** retries, retry_max) <= max_wait:
        total += min(first * 2 ** retries, retry_max)
        retries += 1
    config.retry_max, config.max_retries = retry_max, retries
    timeout = _configured["socket_timeout"]
    if isinstance(timeout, (tuple, list)):
        config.socket_timeout = tuple(min(float(part), max_wait) for part in timeout)
    elif timeout is not None:
        config.socket_timeout = min(float(timeout), max_wait)


def open_site(name: str, *, error: type[UnreachableError] = PageStoreError, max_wait: float = DEFAULT_MAX_WAIT,
              report: Callable[[str], None] | None = None) -> Any:
    """The ``APISite`` (a ``WikibotSite``) for ``name`` ('FAMILY' or 'FAMILY:CODE').

    pywikibot asks the wiki who we are while it builds the site: ``error`` (the adapter's) when
    it does not answer within ``max_wait`` s, each wait said through ``report``."""
    family, _, code = name.partition(":")
    pywikibot = _pywikibot()
    from .pywikibot_api import Patience, describe_failure, request_class

    try:  # no request yet: what pywikibot does not know is the configuration's
        fam = pywikibot.family.Family.load(family)
        url = fam.base_url(code or family, fam.apipath(code or family))
    except (pywikibot.exceptions.Error, ValueError, KeyError) as problem:
        raise _unknown(name, family, problem) from None
    within(max_wait)
    bound = Patience(max_wait, wiki=f"{name!r} ({url})", report=report)

    class WikibotSite(pywikibot.site.APISite):  # type: ignore[misc,name-defined]
        """pywikibot's ``APISite``, whose own requests wait within ``patience`` (see the module docstring)."""

        patience = bound  # a class attribute: pywikibot's __init__ makes requests before one could be set

        def _request_class(self, kwargs: dict[str, Any]) -> Any:
            return request_class(kwargs)

    try:
        site = pywikibot.Site(code or family, family, interface=WikibotSite)
    except pywikibot.exceptions.NoUsernameError as problem:
        raise LoginError(f"{name!r} ({url}): {problem}; check usernames in user-config.py") from None
    except pywikibot.exceptions.SiteDefinitionError as problem:
        if "AutoFamily" in str(problem):  # the URL answered, but not as a MediaWiki API
            raise ConfigError(f"{name!r}: {url} answers, but not as a MediaWiki API ({problem}); check "
                              f"family_files['{family}'] in user-config.py") from None
        raise _unknown(name, family, problem) from None
    except (pywikibot.exceptions.Error, OSError) as problem:  # GaveUpError is an OSError
        text = str(problem) if "did not answer" in str(problem) or "does not answer" in str(problem) else (
            f"{name!r} ({url}) did not answer: {describe_failure(problem)}")
        raise error(text) from None
    return site


def live_page_store(name: str, *, max_wait: float = DEFAULT_MAX_WAIT,
                    report: Callable[[str], None] | None = None) -> tuple[Any, str]:
    """A ``LivePageStore`` on the wiki pywikibot names ``name``, and the bot's user name there."""
    from .pages_live import LivePageStore

    site = open_site(name, error=PageStoreError, max_wait=max_wait, report=report)
    store = LivePageStore(site)
    return store, store.user


def live_entity_store(name: str, *, max_wait: float = DEFAULT_MAX_WAIT,
                      report: Callable[[str], None] | None = None) -> Any:
    """A ``LiveEntityStore`` on the Wikibase pywikibot names ``name``."""
    from .wikibase_live import LiveEntityStore

    return LiveEntityStore(open_site(name, error=EntityStoreError, max_wait=max_wait, report=report))


__all__ = ["LoginError", "live_entity_store", "live_page_store", "open_site", "within"]
