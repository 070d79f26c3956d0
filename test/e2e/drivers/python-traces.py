"""Drives Debian's python3-sentry-sdk (1.9.x) with tracing against the DSN in SENTRY_DSN for
test/e2e/sdk-traces.test.ts: named transactions of varied lengths with child spans, some with an
error status. A transport that records what the SDK sends prints, once everything is delivered,
one JSON line: {"label": "sent", "transactions": [{name, traceId, status, op, durationMs, spans}]},
each duration computed from the timestamps exactly as they went out."""

import json
import os
import time
from datetime import datetime

import sentry_sdk
from sentry_sdk.transport import HttpTransport

SENT = []


def seconds(text):
    """An ISO timestamp as the SDK writes it (microseconds, Z) as a datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def duration_ms(start, end):
    return (seconds(end) - seconds(start)).total_seconds() * 1000


class RecordingTransport(HttpTransport):
    """Sends as the SDK's own transport does, keeping each transaction as it goes out."""

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.headers.get("type") != "transaction":
                continue
            event = item.payload.json
            trace = event["contexts"]["trace"]
            SENT.append(
                {
                    "name": event["transaction"],
                    "traceId": trace["trace_id"],
                    "status": trace.get("status"),
                    "op": trace.get("op"),
                    "durationMs": duration_ms(event["start_timestamp"], event["timestamp"]),
                    "spans": [
                        {"op": s.get("op"), "durationMs": duration_ms(s["start_timestamp"], s["timestamp"])}
                        for s in event.get("spans", [])
                    ],
                }
            )
        return super().capture_envelope(envelope)


sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="shop@5.0.0",
    environment="e2e",
    traces_sample_rate=1.0,
    transport=RecordingTransport,
)

PLAN = [
    ("orders.sync", 0.02, None),
    ("orders.sync", 0.05, "ok"),
    ("orders.sync", 0.08, "internal_error"),
    ("orders.sync", 0.035, "ok"),
    ("reports.build", 0.01, "ok"),
    ("reports.build", 0.12, "deadline_exceeded"),
]

for name, seconds_long, status in PLAN:
    with sentry_sdk.start_transaction(op="task", name=name) as transaction:
        with sentry_sdk.start_span(op="db.query", description="select orders"):
            time.sleep(seconds_long / 2)
        with sentry_sdk.start_span(op="http.client", description="POST /ledger"):
            time.sleep(seconds_long / 2)
        if status is not None:
            transaction.set_status(status)

sentry_sdk.flush(30)
print(json.dumps({"label": "sent", "transactions": SENT}), flush=True)
