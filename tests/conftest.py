"""Fixtures every test directory can use: the real MediaWiki of tests/mediawiki.py, the real
Oxigraph and Virtuoso servers of tests/oxigraph.py and tests/virtuoso.py (plugins: each marks
its own tests), and the example registry in a query store (tests/coverage_support.py)."""

from tests.coverage_support import coverage_env, generated_env  # noqa: F401
from tests.mediawiki import (  # noqa: F401  (fixtures and the hook that marks their tests)
    fresh_mediawiki,
    mediawiki,
    mediawiki_template,
    pytest_collection_modifyitems,
)

pytest_plugins = ["tests.oxigraph", "tests.virtuoso"]
