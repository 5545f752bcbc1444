"""Test tools shipped with the package: a local stand-in for Twilio's REST API and a CRM
endpoint, both recording what they received (only Twilio's cloud and third-party services are
simulated; our own parts run for real)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tools.localserver import ThreadedServer


@dataclass(frozen=True, kw_only=True, slots=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None


class RecordingServer:
    """Twilio REST (Messages, Calls) plus `POST /crm`, on 127.0.0.1, recording every request.

    Point the twilio client at it with `TwilioSettings(api_base=server.url)` and the CRM tool
    with `crm_url=server.url + "/crm"`.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._http = ThreadedServer(self._app())

    @property
    def url(self) -> str:
        return self._http.url

    def _record(self, rec: Recorded) -> int:
        with self._lock:
            self.requests.append(rec)
            return next(self._ids)

    def _app(self) -> FastAPI:
        app = FastAPI(docs_url=None, redoc_url=None)

        @app.post("/2010-04-01/Accounts/{account}/Messages.json")
        async def message(account: str, request: Request) -> JSONResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            n = self._record(
                Recorded(
                    method="POST", path=request.url.path, headers=dict(request.headers), form=form
                )
            )
            body = {
                "sid": f"SM{n:032x}",
                "account_sid": account,
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
            }
            return JSONResponse(body, status_code=201)

        @app.post("/2010-04-01/Accounts/{account}/Calls/{call_sid}.json")
        async def call(account: str, call_sid: str, request: Request) -> JSONResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self._record(
                Recorded(
                    method="POST", path=request.url.path, headers=dict(request.headers), form=form
                )
            )
            return JSONResponse({"sid": call_sid, "account_sid": account, "status": "in-progress"})

        @app.post("/crm")
        async def crm(request: Request) -> JSONResponse:
            n = self._record(
                Recorded(
                    method="POST",
                    path="/crm",
                    headers=dict(request.headers),
                    json=await request.json(),
                )
            )
            return JSONResponse({"id": f"crm-{n}"}, status_code=201)

        return app

    def start(self) -> RecordingServer:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> RecordingServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
