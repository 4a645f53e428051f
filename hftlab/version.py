"""The version of hftlab (one place: pyproject.toml reads it too)."""

__version__ = "0.1.0"
