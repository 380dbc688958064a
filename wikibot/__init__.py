"""wikibot: the registry of Wikimedia hubs and partnerships, kept true on wiki pages and in a Wikibase."""

__version__ = "0.1.0"
