"""A ceiling on packets per second for everything a scan sends (ARP, discovery, TCP SYNs), so
old recorders and small switches are never flooded. One bucket per scan, shared by all phases."""

from __future__ import annotations

import asyncio
import threading
import time

DEFAULT_RATE = 2000  # packets per second; a /22 ARP sweep takes about 0.5 s


class RateLimiter:
    """Token bucket with a burst of at most 1/20 s of traffic; usable from threads and asyncio."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, rate / 20)
        self._tokens = self.burst
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self.sent = 0

    def _reserve(self) -> float:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1
            self.sent += 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def wait(self) -> None:
        delay = self._reserve()
        if delay > 0:
            time.sleep(delay)

    async def wait_async(self) -> None:
        delay = self._reserve()
        if delay > 0:
            await asyncio.sleep(delay)
