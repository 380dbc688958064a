"""Fixtures every test directory can use: the real MediaWiki of tests/mediawiki.py."""

from tests.mediawiki import (  # noqa: F401  (fixtures and the hook that marks their tests)
    fresh_mediawiki,
    mediawiki,
    mediawiki_template,
    pytest_collection_modifyitems,
)
