# Drives the real Python sentry_sdk (Debian's python3-sentry-sdk 1.9.x, run by /usr/bin/python3)
# against the DSN in SENTRY_DSN for test/e2e/sdk-trace.test.ts: a worker continues the trace whose
# `sentry-trace` header is in SENTRY_TRACE with a transaction of nested spans, and captures an
# exception inside the innermost one. What the SDK sends is recorded on its way out and printed as
# JSON lines: {"label": "span", ...} per span of the transaction (its own first) and
# {"label": "error", ...} for the error. Exits 0 once the client has been closed.
import json
import os
import sys
import time

import sentry_sdk
from sentry_sdk.transport import HttpTransport
from sentry_sdk.tracing import Transaction


def report(label, **fields):
    fields["label"] = label
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class RecordingTransport(HttpTransport):
    """Records what the SDK hands its HTTP transport, then sends it."""

    def capture_event(self, event):
        self._record(event)
        super().capture_event(event)

    def capture_envelope(self, envelope):
        for item in envelope.items:
            event = item.payload.json
            if event is not None:
                self._record(event)
        super().capture_envelope(envelope)

    def _record(self, event):
        trace = event.get("contexts", {}).get("trace", {})
        if event.get("type") == "transaction":
            report(
                "span",
                spanId=trace["span_id"],
                parentSpanId=trace.get("parent_span_id"),
                traceId=trace["trace_id"],
                name=event["transaction"],
                op=trace.get("op"),
                isSegment=True,
                segmentName=event["transaction"],
            )
            for span in event.get("spans", []):
                report(
                    "span",
                    spanId=span["span_id"],
                    parentSpanId=span.get("parent_span_id"),
                    traceId=span["trace_id"],
                    name=span.get("description"),
                    op=span.get("op"),
                    isSegment=False,
                    segmentName=event["transaction"],
                )
        else:
            report(
                "error",
                eventId=event["event_id"],
                traceId=trace.get("trace_id"),
                spanId=trace.get("span_id"),
                transaction=event.get("transaction"),
            )


sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="worker@1.2.0",
    environment="e2e",
    traces_sample_rate=1.0,
    transport=RecordingTransport,
    # close() waits this long (s) for the queue to be sent, 2 by default: too short on a loaded machine.
    shutdown_timeout=30,
)

transaction = Transaction.continue_from_headers(
    {"sentry-trace": os.environ["SENTRY_TRACE"]}, op="queue.process", name="build report"
)
with sentry_sdk.start_transaction(transaction):
    with sentry_sdk.start_span(op="db", description="load orders"):
        time.sleep(0.005)
    with sentry_sdk.start_span(op="function", description="render report"):
        with sentry_sdk.start_span(op="template.render", description="report.html"):
            try:
                raise KeyError("missing column total")
            except KeyError:
                sentry_sdk.capture_exception()

sentry_sdk.flush()
sentry_sdk.Hub.current.client.close()
