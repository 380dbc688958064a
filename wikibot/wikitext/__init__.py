"""Pages <-> models: registry pages parsed, rendered and patched as mwparserfromhell nodes."""
