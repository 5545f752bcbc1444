"""`python -m tools.calendar_service --port 8081 --db calendar.sqlite`"""

from __future__ import annotations

import argparse
import time

from tools.calendar_service.server import CalendarServer, CalendarSettings


def main() -> None:
    parser = argparse.ArgumentParser(description="switchboard calendar service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--db", default="calendar.sqlite")
    parser.add_argument("--faults", action="store_true", help="enable /_faults (testing only)")
    args = parser.parse_args()
    settings = CalendarSettings(host=args.host, port=args.port, db_path=args.db, faults=args.faults)
    with CalendarServer(settings) as server:
        print(f"calendar service on {server.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
