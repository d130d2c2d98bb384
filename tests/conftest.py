"""Shared pytest set-up."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository's top folder."""
    return ROOT


def chapters() -> list[Path]:
    """Every chapter notebook under book/, in name order."""
    return sorted(p for p in BOOK.glob("*.ipynb"))
