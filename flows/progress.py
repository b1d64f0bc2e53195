"""A side channel from the batch flow to the CLI's progress bar.

Not a flow parameter: Prefect records parameters and Dask ships them to workers, and a
progress bar is neither plain data nor picklable. Kept out of the modules that define tasks,
whose globals may be pickled along with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_hook: Callable[[Any], None] | None = None


def current() -> Callable[[Any], None] | None:
    return _hook


@contextmanager
def reporting(hook: Callable[[Any], None] | None) -> Iterator[None]:
    global _hook
    previous, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = previous
