# Drives Python's sentry_sdk against SENTRY_DSN: one error raised 20 application frames deep, after
# the breadcrumbs, user, tags and contexts a web service typically sets. Run by ../capture.ts with
# /usr/bin/python3. Every function name contains `handler000`: the bench renames it (same length).
#
# sentry_sdk 1.x posts an error without attachments to /store/ (scenario `error-store`); 2.x posts
# every error as an envelope. Scenario `error` sends the same kind of event through 1.x's own
# envelope path (Envelope.add_event + the transport's gzip), which is what the bench replays, so
# that every server under test, Spotlight included, gets it at its envelope endpoint.
import os
import sys
from datetime import datetime

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import HttpTransport
from sentry_sdk.utils import format_timestamp


def scenario(name):
    sys.stdout.write("scenario:%s\n" % name)
    sys.stdout.flush()


sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="shop-api@3.14.2",
    environment="production",
    server_name="api-7f9c",
)
sentry_sdk.set_user({"id": "user-1042", "email": "grace@example.com", "username": "grace"})
sentry_sdk.set_tag("region", "eu-west-1")
sentry_sdk.set_tag("feature", "checkout")
sentry_sdk.set_context("order", {"id": 99812, "items": 3, "total": 149.9, "currency": "EUR"})
sentry_sdk.set_context("feature_flags", {"new_checkout": True, "fast_tax": False})
for category, message, level, data in [
    ("http", "GET /api/cart", "info", {"status_code": 200, "method": "GET", "url": "/api/cart"}),
    ("query", "SELECT * FROM carts WHERE user_id = %s", "info", {"duration_ms": 3}),
    ("cart", "added item", "info", {"sku": "A-1", "quantity": 2}),
    ("cart", "added item", "info", {"sku": "B-7", "quantity": 1}),
    ("http", "POST /api/coupons/apply", "info", {"status_code": 200, "method": "POST"}),
    ("query", "SELECT * FROM coupons WHERE code = %s", "info", {"duration_ms": 2}),
    ("auth", "session refreshed", "info", {"ttl": 3600}),
    ("http", "GET /api/shipping/quote", "warning", {"status_code": 429, "method": "GET"}),
    ("retry", "retrying shipping quote", "info", {"attempt": 2}),
    ("http", "GET /api/shipping/quote", "info", {"status_code": 200, "method": "GET"}),
    ("checkout", "submitting order", "info", {"order_id": 99812}),
    ("query", "INSERT INTO orders (user_id, total) VALUES (%s, %s)", "info", {"duration_ms": 9}),
]:
    sentry_sdk.add_breadcrumb(category=category, message=message, level=level, data=data)


def handler000_step01(order): return handler000_step02(dict(order, step=1))
def handler000_step02(order): return handler000_step03(dict(order, step=2))
def handler000_step03(order): return handler000_step04(dict(order, step=3))
def handler000_step04(order): return handler000_step05(dict(order, step=4))
def handler000_step05(order): return handler000_step06(dict(order, step=5))
def handler000_step06(order): return handler000_step07(dict(order, step=6))
def handler000_step07(order): return handler000_step08(dict(order, step=7))
def handler000_step08(order): return handler000_step09(dict(order, step=8))
def handler000_step09(order): return handler000_step10(dict(order, step=9))
def handler000_step10(order): return handler000_step11(dict(order, step=10))
def handler000_step11(order): return handler000_step12(dict(order, step=11))
def handler000_step12(order): return handler000_step13(dict(order, step=12))
def handler000_step13(order): return handler000_step14(dict(order, step=13))
def handler000_step14(order): return handler000_step15(dict(order, step=14))
def handler000_step15(order): return handler000_step16(dict(order, step=15))
def handler000_step16(order): return handler000_step17(dict(order, step=16))
def handler000_step17(order): return handler000_step18(dict(order, step=17))
def handler000_step18(order): return handler000_step19(dict(order, step=18))
def handler000_step19(order): return handler000_step20(dict(order, step=19))
def handler000_step20(order):
    if order["total"] > 100:
        raise TypeError("handler000: cannot apply tax rule to order %d" % order["id"])
    return order


def send_as_envelope(self, event):
    envelope = Envelope(headers={"event_id": event["event_id"], "sent_at": format_timestamp(datetime.utcnow())})
    envelope.add_event(event)
    self._send_envelope(envelope)


def capture():
    try:
        handler000_step01({"id": 99812, "total": 149.9})
    except TypeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()


scenario("error-store")
capture()
scenario("error")
HttpTransport._send_event = send_as_envelope
capture()
scenario("close")
sentry_sdk.Hub.current.client.close()
