"""The tool runtime (retries, idempotency, circuit breaker, audit) and the replay tool."""

__all__: list[str] = []
