"""Scripted misbehaviour for tests and demos: the next requests fail in chosen ways.

Only active when the service is started with faults enabled; a production calendar has none.
"""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, Field


class Fault(BaseModel):
    """What happens to one matching request."""

    #: status: answer `status` (with `retry_after`) without doing anything;
    #: hang: sleep `seconds` before doing anything; lose_response: do the work, then sleep
    #: `seconds` (the client times out: "succeeded server-side but the response was lost").
    kind: Literal["status", "hang", "lose_response"]
    status: int = 500
    retry_after: str | None = None
    seconds: float = 30.0
    #: Only requests whose "METHOD /path" starts with this (e.g. "POST /bookings").
    match: str = ""


class FaultPlan(BaseModel):
    faults: list[Fault] = Field(default_factory=list)


class FaultQueue:
    """Faults consumed in order by the requests they match."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def load(self, plan: FaultPlan) -> None:
        with self._lock:
            self._faults = list(plan.faults)

    def take(self, method: str, path: str) -> Fault | None:
        target = f"{method} {path}"
        with self._lock:
            for i, fault in enumerate(self._faults):
                if target.startswith(fault.match):
                    return self._faults.pop(i)
        return None
