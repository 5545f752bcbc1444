"""Fixtures for the tool runtime: a real calendar service, a recording Twilio/CRM stand-in,
an owned session on the test Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from backplane import Backplane, OwnedSession
from tools import BuiltinSettings, ToolDeps, ToolRuntime, ToolScope, TwilioSettings
from tools.calendar_service import CalendarServer, CalendarSettings
from tools.testing import RecordingServer

#: A Monday inside opening hours.
MONDAY_9 = "2026-09-14T09:00"


class RecordedSleep:
    """Stands in for asyncio.sleep: remembers the waits, does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def calendar() -> Iterator[CalendarServer]:
    with CalendarServer(CalendarSettings(faults=True)) as server:
        yield server


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


@pytest.fixture
def settings(calendar: CalendarServer, recorder: RecordingServer) -> BuiltinSettings:
    return BuiltinSettings(
        calendar_url=calendar.url,
        crm_url=f"{recorder.url}/crm",
        twilio=TwilioSettings(
            account_sid="AC" + "0" * 32,
            auth_token="test-token",
            from_number="+14155550100",
            api_base=recorder.url,
            human_number="+14155550199",
        ),
    )


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
async def runtime(
    redis_client: Redis, settings: BuiltinSettings, sleep: RecordedSleep
) -> AsyncIterator[ToolRuntime]:
    rt = ToolRuntime(redis_client, deps=ToolDeps(settings), sleep=sleep, rng=lambda: 0.0)
    yield rt
    await rt.aclose()


@pytest.fixture
async def owned(backplane: Backplane) -> AsyncIterator[OwnedSession]:
    await backplane.create_session("chat-tools-1", agent="booking")
    async with backplane.own("chat-tools-1", owner="worker-1") as session:
        await session.begin_caller_turn("I'd like an appointment", agent="booking")
        yield session


@pytest.fixture
def scope(owned: OwnedSession) -> ToolScope:
    return ToolScope(session=owned, turn=1, agent="booking")
