"""The calendar's HTTP API (FastAPI)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tools.calendar_service.faults import FaultPlan, FaultQueue
from tools.calendar_service.store import CalendarError, CalendarStore


class CancelRequest(BaseModel):
    phone: str = Field(min_length=3, max_length=40)
    start: str


class MoveRequest(CancelRequest):
    new_start: str


class BookingRequest(BaseModel):
    start: str
    duration_min: int = Field(default=30, ge=5, le=480)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=3, max_length=40)
    reason: str = Field(default="", max_length=500)


def create_app(store: CalendarStore, *, faults: FaultQueue | None = None) -> FastAPI:
    """The app; `faults` enables the `/_faults` test endpoint."""
    app = FastAPI(title="switchboard calendar", docs_url=None, redoc_url=None)
    seen: Counter[str] = Counter()

    @app.middleware("http")
    async def inject(request: Request, call_next: Any) -> Response:
        seen[f"{request.method} {request.url.path}"] += 1
        fault = faults.take(request.method, request.url.path) if faults else None
        if fault is None or request.url.path.startswith("/_"):
            return await call_next(request)
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return JSONResponse({"error": "injected"}, status_code=fault.status, headers=headers)
        if fault.kind == "hang":
            await asyncio.sleep(fault.seconds)
            return await call_next(request)
        response = await call_next(request)  # lose_response: the work is done...
        await asyncio.sleep(fault.seconds)  # ...but the client gives up before hearing it
        return response

    @app.exception_handler(CalendarError)
    async def refused(_request: Request, exc: CalendarError) -> JSONResponse:
        return JSONResponse({"error": exc.code}, status_code=exc.status)

    @app.get("/availability")
    async def availability(
        day: Annotated[date, Query(alias="date")], duration_min: int = 30
    ) -> dict[str, Any]:
        return {"date": day.isoformat(), "slots": store.availability(day, duration_min)}

    @app.post("/bookings", status_code=201)
    async def book(
        body: BookingRequest,
        response: Response,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        booking, created = store.book(**body.model_dump(), idempotency_key=idempotency_key)
        if not created:
            response.status_code = 200
        return booking.to_dict()

    @app.delete("/bookings/{booking_id}")
    async def cancel(booking_id: int) -> dict[str, Any]:
        return store.cancel(booking_id).to_dict()

    @app.post("/bookings/cancel")
    async def cancel_at(body: CancelRequest) -> dict[str, Any]:
        return store.cancel_at(phone=body.phone, start=body.start).to_dict()

    @app.post("/bookings/move")
    async def move(body: MoveRequest) -> dict[str, Any]:
        return store.move(phone=body.phone, start=body.start, new_start=body.new_start).to_dict()

    @app.get("/bookings")
    async def bookings(
        phone: str | None = None, start: str | None = None, status: str | None = None
    ) -> dict[str, Any]:
        found = store.bookings(phone=phone, start=start, status=status)
        return {"bookings": [b.to_dict() for b in found]}

    @app.get("/_stats")
    async def stats() -> dict[str, Any]:
        return {"requests": dict(seen)}

    @app.post("/_faults")
    async def set_faults(plan: FaultPlan) -> dict[str, Any]:
        if faults is None:
            raise HTTPException(404)
        faults.load(plan)
        return {"faults": len(plan.faults)}

    return app
