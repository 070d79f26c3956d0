# Drives the real Python sentry_sdk against the DSN in SENTRY_DSN for test/e2e/feedback.test.ts:
# an error, then the user's report about it. Debian's sentry_sdk 1.9.10 has neither
# capture_user_feedback nor the newer feedback API, so the report goes the way those send it: a
# `user_report` item in an envelope, through the SDK's own Envelope and transport. Prints
# {"label": "...", "id": "<event id>"} lines and exits 0 once the client is closed.
import json
import os
import sys

import sentry_sdk
from sentry_sdk.envelope import Envelope, Item, PayloadRef


def report(label, event_id):
    sys.stdout.write(json.dumps({"label": label, "id": event_id}) + "\n")
    sys.stdout.flush()


sentry_sdk.init(dsn=os.environ["SENTRY_DSN"], environment="e2e", shutdown_timeout=30)

try:
    {}["price"]
except KeyError:
    event_id = sentry_sdk.capture_exception()
report("error", event_id)

capture_feedback = getattr(sentry_sdk, "capture_user_feedback", None)
feedback = {"event_id": event_id, "name": "Cy", "email": "cy@example.com", "comments": "Prices vanished"}
if capture_feedback is not None:
    capture_feedback(feedback)
else:
    envelope = Envelope(headers={"event_id": event_id})
    envelope.add_item(Item(payload=PayloadRef(json=feedback), type="user_report"))
    sentry_sdk.Hub.current.client.transport.capture_envelope(envelope)
sentry_sdk.flush()
sentry_sdk.Hub.current.client.close()
