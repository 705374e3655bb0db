"""A bounded load round in CI: 16 concurrent clients, canned queries and explorer APIs, zero errors."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from load import run_load


def test_sixteen_clients_zero_errors(live_server) -> None:  # type: ignore[no-untyped-def]
    result = run_load(live_server.url, clients=16, requests_per_client=12)
    assert result["requests"] == 16 * 12
    assert result["errors"] == []
    print(f"load: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
