"""Two-way sync: registry pages <-> Wikibase items, by a three-way merge on the last synced state.

merge.py   pure: field values of base, page and item -> changes per side and conflicts
plan.py    pure: the registry, the items and the state -> a plan per entry, and the guards
apply.py   carries a plan out through the ports, recording the state after each write
report.py  the plan and the problems as text, JSON and the report page's wikitext
"""
