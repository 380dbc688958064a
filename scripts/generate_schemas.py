#!/usr/bin/env python3
"""Write schemas/*.json from the models (run after changing a model; a test checks they are current)."""

from pathlib import Path

from wikibot.schemas import render_schemas

target = Path(__file__).resolve().parent.parent / "schemas"
target.mkdir(exist_ok=True)
for name, content in render_schemas().items():
    path = target / name
    if not path.exists() or path.read_text(encoding="utf-8") != content:
        path.write_text(content, encoding="utf-8")
        print(f"wrote {path.relative_to(target.parent)}")
