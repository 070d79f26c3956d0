# Drives the real Python sentry_sdk's release health against the DSN in SENTRY_DSN for
# test/e2e/release-health.test.ts, as release DRIVER_RELEASE in environment DRIVER_ENVIRONMENT.
#
# `python-health.py app healthy|errored|crashed <user id>`: one application session of the user,
# as an application keeps one per run (this SDK starts none by itself): it ends cleanly, after a
# handled exception, or with an uncaught exception (a crash: the process exits 1). The session is
# ended in an exit handler, as it must be to be sent after a crash.
#
# `python-health.py wsgi <ok> <errored> <crashed>`: that many requests of each kind through the
# SDK's WSGI middleware, which counts them as request sessions and sends them aggregated when the
# client closes; an errored request captures a handled exception, a crashed one raises.
import atexit
import os
import sys
from wsgiref.util import setup_testing_defaults

import sentry_sdk
from sentry_sdk.integrations.wsgi import SentryWsgiMiddleware

sentry_sdk.init(
    dsn=os.environ["SENTRY_DSN"],
    release=os.environ["DRIVER_RELEASE"],
    environment=os.environ["DRIVER_ENVIRONMENT"],
    shutdown_timeout=30,
)


def application_session(outcome, user_id):
    sentry_sdk.set_user({"id": user_id})
    hub = sentry_sdk.Hub.current
    hub.start_session()
    # Registered after init, so it runs before the SDK's own exit handler closes the client.
    atexit.register(hub.end_session)
    if outcome == "errored":
        try:
            raise ValueError("handled in the application")
        except ValueError:
            sentry_sdk.capture_exception()
    if outcome == "crashed":
        raise RuntimeError("the application crashed")


def app(environ, start_response):
    kind = environ["PATH_INFO"].strip("/")
    if kind == "errored":
        try:
            raise ValueError("handled in a request")
        except ValueError:
            sentry_sdk.capture_exception()
    if kind == "crashed":
        raise RuntimeError("unhandled in a request")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [kind.encode()]


def wsgi_sessions(counts):
    middleware = SentryWsgiMiddleware(app)
    for kind, count in counts.items():
        for _ in range(count):
            environ = {"PATH_INFO": "/" + kind}
            setup_testing_defaults(environ)
            try:
                for _chunk in middleware(environ, lambda status, headers, exc_info=None: None):
                    pass
            except RuntimeError:
                if kind != "crashed":
                    raise
    sentry_sdk.Hub.current.client.close()


mode, *args = sys.argv[1:]
if mode == "app":
    application_session(args[0], args[1])
elif mode == "wsgi":
    ok, errored, crashed = (int(a) for a in args)
    wsgi_sessions({"ok": ok, "errored": errored, "crashed": crashed})
else:
    raise SystemExit("unknown mode " + mode)
