"""Fixtures every test directory can use: the real MediaWiki of tests/mediawiki.py, and the real
Oxigraph server of tests/oxigraph.py (a plugin: it marks its own tests)."""

from tests.mediawiki import (  # noqa: F401  (fixtures and the hook that marks their tests)
    fresh_mediawiki,
    mediawiki,
    mediawiki_template,
    pytest_collection_modifyitems,
)

pytest_plugins = ["tests.oxigraph"]
