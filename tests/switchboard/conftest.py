"""Fixtures for orchestrator tests: the real tool runtime against local services (our calendar
service with a SQLite file, a recorder standing in for the CRM and Twilio's REST API)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.local_services import LocalServices, LocalServicesSettings
from switchboard.orchestrator import OrchestratorSettings
from tools import BuiltinSettings


@pytest.fixture
def services(tmp_path: Path) -> Iterator[LocalServices]:
    """Fresh local services per test (nothing taken from the environment)."""
    options = LocalServicesSettings(data_dir=tmp_path / "data")
    with LocalServices(BuiltinSettings(), options) as started:
        yield started


@pytest.fixture
def orchestration(services: LocalServices) -> OrchestratorSettings:
    """Orchestrator settings whose tools reach the local services."""
    return OrchestratorSettings(services=services.settings)
