"""Models <-> Wikibase: the property mapping, datatypes, entity JSON and its minimal diff."""
