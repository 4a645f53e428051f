"""Requests of the order books and market-data streams operations."""

from __future__ import annotations
