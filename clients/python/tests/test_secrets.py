"""API keys and connection tokens are credentials: never in a repr, a
message or a log record, whatever happens."""

from __future__ import annotations

import logging

import pytest
from conftest import Herald, free_port

import herald


def test_secrets_stay_out_of_reprs_errors_and_logs(
    server: Herald, api_key: str, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's and httpcore's
    seen: list[str] = []
    with herald.Client(server.base_url, api_key) as client:
        seen += [repr(client), str(client)]
        client.send("hi", external_ids=[user])
        token = client.connection_token(external_id=user)
        seen += [repr(token), str(token)]
        with herald.TokenClient(server.base_url, token.token) as me:
            seen += [repr(me), str(me), repr(me.unread())]
        with pytest.raises(herald.ValidationError) as invalid:
            client.send("", external_ids=[user])
        seen += [repr(invalid.value), str(invalid.value)]
    # A refused key, and retries of a connection nobody answers.
    wrong = api_key[:-4] + "zzzz"
    with herald.Client(server.base_url, wrong) as client:
        with pytest.raises(herald.AuthenticationError) as refused:
            client.unread(external_id=user)
        seen += [repr(refused.value), str(refused.value)]
    with herald.Client(f"http://127.0.0.1:{free_port()}", api_key, max_retries=2, max_retry_wait=0.01) as client:
        with pytest.raises(herald.TransportError) as unreachable:
            client.send("nobody home", external_ids=[user])
        seen += [repr(unreachable.value), str(unreachable.value), repr(unreachable.value.__cause__)]

    assert any("retrying" in r.getMessage() for r in caplog.records), "the retries were not logged"
    seen += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    for secret in (api_key, wrong, token.token):
        assert not [text for text in seen if secret in text]
