# Drives the real Python sentry_sdk (Debian's python3-sentry-sdk 1.9.10, run by /usr/bin/python3)
# against the DSN in SENTRY_DSN for test/e2e/sdk-python.test.ts. Prints one JSON line per captured
# item on stdout, {"label": "...", "id": "<event id>"} (or "traceId" for the transaction), and
# exits 0 once the client has been closed (which delivers everything queued).
import json
import logging
import os
import sys

import sentry_sdk


def report(label, **fields):
    fields["label"] = label
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="shop@2.4.0",
    environment="e2e",
    server_name="e2e-host",
    traces_sample_rate=1.0,
    # flush() and close() wait this long (s) for the queue to be sent, 2 by default: a server
    # slower than that to answer (its writer thread starting, on a loaded machine) would
    # have the events still queued dropped, and the test wait for them in vain.
    shutdown_timeout=30,
)
sentry_sdk.set_user({"id": "user-42", "email": "ada@example.com", "username": "ada"})
sentry_sdk.set_tag("feature", "checkout")
sentry_sdk.set_tag("tenant", "acme-co")
sentry_sdk.set_context("order", {"id": 1234, "total": 9.5})
sentry_sdk.add_breadcrumb(category="cart", message="added item", level="info", data={"sku": "A-1"})
sentry_sdk.add_breadcrumb(category="checkout", message="clicked pay", level="info")


def price_of(line):
    return line["price"] * line["quantity"]


def order_total(order):
    try:
        return sum(price_of(line) for line in order["lines"])
    except KeyError as err:
        raise ValueError("bad order line") from err


try:
    order_total({"lines": [{"quantity": 2}]})
except ValueError:
    report("exception", id=sentry_sdk.capture_exception())

report("message", id=sentry_sdk.capture_message("payment provider slow", level="warning"))

logging.getLogger("shop.orders").error("order %s failed after %d tries", "A-1", 3)
report("logging", id=sentry_sdk.last_event_id())

with sentry_sdk.push_scope() as scope:
    scope.add_attachment(bytes=b"line one\nline two\n", filename="notes.txt", content_type="text/plain")
    try:
        raise RuntimeError("quantity out of range")
    except RuntimeError:
        report("attachment", id=sentry_sdk.capture_exception())

with sentry_sdk.start_transaction(op="task", name="process-order") as transaction:
    report("transaction", traceId=transaction.trace_id)
    with sentry_sdk.start_span(op="db.query", description="load order"):
        pass
    with sentry_sdk.start_span(op="http.client", description="charge card"):
        pass

sentry_sdk.flush()
sentry_sdk.Hub.current.client.close()
