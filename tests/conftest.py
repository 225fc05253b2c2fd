"""Shared fixtures: where the public data sets live, and the databases to run on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_path() -> Path:
    """../shared/data beside the checkout, or CUSTOMHOUSE_SHARED_DATA."""
    env = os.environ.get("CUSTOMHOUSE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests that need it skip where it is absent (a user's laptop)."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path
