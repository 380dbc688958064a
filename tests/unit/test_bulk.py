import gc

import pytest

from wikibot.bulk import bulk_allocation


def test_collector_paused_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with bulk_allocation():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk_allocation():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk_allocation():
            pass
        assert not gc.isenabled()  # a caller's own setting is kept
    finally:
        gc.enable()
