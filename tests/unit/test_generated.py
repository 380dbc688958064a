"""Generated registries (bench/generate.py) are valid and round-trip byte for byte."""

from bench.generate import generate_registry
from wikibot.wikitext.registry_edit import update_entries
from wikibot.wikitext.registry_page import parse_registry


def test_generated_registry_is_valid_and_round_trips() -> None:
    pages = generate_registry(1200, seed=3)
    assert len(pages) >= 3
    registry, parsed = parse_registry(pages)
    assert registry.problems == ()
    assert len(registry.entries) == 1200
    for title, text in pages.items():
        assert update_entries(text, parsed[title].entries) is text


def test_generation_is_deterministic() -> None:
    assert generate_registry(200, seed=1) == generate_registry(200, seed=1)
    assert generate_registry(200, seed=1) != generate_registry(200, seed=2)
