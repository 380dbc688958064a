"""Open a wiki the way pywikibot's configuration names it, for the live adapters.

The only place that turns a configured site name into a pywikibot ``APISite``; pywikibot is
imported here, on first use, so that runs on the local workspace never import it.  Which
account logs in, with which BotPassword or OAuth consumer, the User-Agent and the throttle
all come from pywikibot's ``user-config.py`` (``$PYWIKIBOT_DIR``): wikibot never sees them.
"""

from __future__ import annotations

import os
from typing import Any

from ..settings import ConfigError


def open_site(name: str) -> Any:
    """The ``APISite`` for ``name`` ('FAMILY' or 'FAMILY:CODE'); no request is made."""
    family, _, code = name.partition(":")
    try:
        import pywikibot  # type: ignore[import-untyped]
    except Exception as error:  # pywikibot reports a broken user-config.py with many types
        raise ConfigError(f"cannot load pywikibot and its user-config.py: {error}") from None
    where = os.environ.get("PYWIKIBOT_DIR") or "pywikibot's default directory"
    try:
        return pywikibot.Site(code or family, family)
    except pywikibot.exceptions.Error as error:
        raise ConfigError(
            f"pywikibot knows no site {name!r} ({error}); define the family in user-config.py "
            f"(family_files['{family}'] = 'https://…/w/api.php'), read from {where}; "
            "see user-config.py.sample"
        ) from None


def live_page_store(name: str) -> tuple[Any, str]:
    """A ``LivePageStore`` on the wiki pywikibot names ``name``, and the bot's user name there."""
    from .pages_live import LivePageStore

    site = open_site(name)
    store = LivePageStore(site)
    return store, store.user


def live_entity_store(name: str) -> Any:
    """A ``LiveEntityStore`` on the Wikibase pywikibot names ``name``."""
    from .wikibase_live import LiveEntityStore

    return LiveEntityStore(open_site(name))
