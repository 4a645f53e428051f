"""Portfolio construction: optimization, sparse portfolios, Box-Tao."""

from __future__ import annotations

__all__: list[str] = []
