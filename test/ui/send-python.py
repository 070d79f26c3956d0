# Sends three events with Python's sentry_sdk to the DSN in SENTRY_DSN: an error raised 200 calls
# deep, its frames carrying locals of several Python types, an error raised 30 distinct calls deep, and a message. Prints each event id as
# `<label> <id>`.
import os
import sys

import sentry_sdk

sys.setrecursionlimit(1000)
sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release="worker@3.1.0",
    environment="production",
    server_name="worker-1",
)
sentry_sdk.set_user({"id": "py-7", "email": "grace@example.com", "username": "grace"})


def descend(depth, path):
    options = {"retry": True, "limit": None, "ratio": 0.5}
    if depth == 0:
        raise RecursionError("tree too deep at %s" % "/".join(path[-3:]))
    return descend(depth - 1, path + ("n%d" % depth,))


try:
    descend(198, ())
except RecursionError:
    print("deep", sentry_sdk.capture_exception())

# Thirty distinct functions, each calling the next: a deep trace with no call repeated.
for i in range(30):
    body = "return step%d(n)" % (i + 1) if i < 29 else "raise LookupError('no route to warehouse %d' % n)"
    exec("def step%d(n):\n    %s\n" % (i, body), globals())

try:
    step0(7)  # noqa: F821 (defined just above)
except LookupError:
    print("steps", sentry_sdk.capture_exception())

print("message", sentry_sdk.capture_message("nightly import skipped 3 rows", level="warning"))
sentry_sdk.flush()
