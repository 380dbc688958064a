"""The replayed Wikibase: real pywikibot answered with real Wikibase answers, for the tests and the
benchmarks alike (see ``replay/README.md``).  Nothing here is part of wikibot itself."""
