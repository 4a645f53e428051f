"""Order books and market-data streams."""

from __future__ import annotations

__all__: list[str] = []
