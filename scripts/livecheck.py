"""What the Python tests against a live gateway share (scripts/test-smart.py, scripts/test-fhirclient.py):
counted checks, a free loopback port, and a token's hash as the configuration holds it."""
import hashlib
import socket
import sys

passed, failed = 0, 0


def check(condition, what):
    """Counts one check; a failing one is printed with `what`."""
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}", file=sys.stderr)


def finish():
    """Prints 'N passed, N failed' and exits 1 on any failure."""
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_hash(token):
    """The `tokenHash` a sender, partner or operator is configured with."""
    return hashlib.sha256(token.encode()).hexdigest()
