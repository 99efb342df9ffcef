"""Verifies a webhook from Herald (Python 3, standard library only).

Copy `verify` into your receiver. Run as a script, it reads
{"secret", "signature", "delivery", "body", "now"?} as JSON on stdin and
exits 0 if the webhook is genuine (Herald's test suite runs it so).
"""
import hashlib
import hmac
import json
import sys
import time

TOLERANCE_SECONDS = 300


def verify(secret, signature, delivery, body, now=None):
    """The webhook's payload (a dict) if it is Herald's and fresh, else None.

    secret: HERALD_WEBHOOK_SECRET; signature: the Herald-Signature header;
    delivery: the Herald-Delivery header; body: the raw request body (bytes).
    Deduplicate on the returned payload's "delivery_id" (it is signed).
    """
    try:
        parts = dict(p.split("=", 1) for p in signature.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return None
    expected = hmac.new(
        secret.encode(), f"{t}.".encode() + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, given):
        return None
    # A signed call replayed later, or from the future, is refused.
    if abs((time.time() if now is None else now) - t) > TOLERANCE_SECONDS:
        return None
    payload = json.loads(body)
    # The header is a convenience; the signed id is the one that counts.
    if str(payload.get("delivery_id")) != delivery:
        return None
    return payload


if __name__ == "__main__":
    given = json.load(sys.stdin)
    payload = verify(
        given["secret"],
        given["signature"],
        given["delivery"],
        given["body"].encode(),
        given.get("now"),
    )
    sys.exit(0 if payload is not None else 1)
