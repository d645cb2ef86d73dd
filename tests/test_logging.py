"""Log lines are JSON objects carrying the request id."""

from __future__ import annotations

import json
import logging

from app.telemetry.logging import JsonFormatter, request_id


def test_json_lines_with_request_id() -> None:
    record = logging.LogRecord("facegate.test", logging.WARNING, __file__, 1, "enrolled %d faces", (3,), None)
    token = request_id.set("req-42")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "enrolled 3 faces"
    assert entry["level"] == "warning"
    assert entry["request_id"] == "req-42"
    assert "request_id" not in json.loads(JsonFormatter().format(record))
