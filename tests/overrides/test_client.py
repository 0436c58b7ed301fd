"""The client's configuration and timeouts, and the API key that never shows, over real sockets."""

from __future__ import annotations

import logging
import traceback

import attrs
import httpx
import pytest

import openai_api as oa
from openai_api._client import OpenAIClient, _create_client
from openai_api_client import AuthenticatedClient
from openai_api_client.api.files import list_files
from openai_api_client.api.models import list_models
from openai_api_client.models import (
    ListFilesResponse,
)
from tests.helpers.clients import FAST, client_for, raw_client
from tests.helpers.factories import API_KEY, error_body, file_list
from tests.helpers.scripted_server import Reply, ScriptedServer, json_reply

# --- configuration -------------------------------------------------------------------------------------------


def test_no_key_says_how_to_give_one() -> None:
    with pytest.raises(oa.MissingAPIKeyError, match="OPENAI_API_KEY"):
        _create_client()


def test_environment_configures_key_base_url_and_organization(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-42")
    server.script(json_reply({"object": "list", "data": []}))
    client = _create_client()
    assert oa.call(list_models.sync_detailed, client=client).data == []
    (request,) = server.received
    assert request.request_line == b"GET /v1/models HTTP/1.1"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["openai-organization"] == "org-42"


def test_default_base_url_is_openai() -> None:
    assert _create_client(api_key=API_KEY).base_url == "https://api.openai.com/v1"
    assert _create_client(api_key=API_KEY).gateway is False
    assert _create_client(api_key=API_KEY, base_url="https://api.mygptlife.com/v1/").gateway is True


def test_a_users_transport_passes_straight_through() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    client = _create_client(api_key=API_KEY, transport=httpx.MockTransport(handler))
    list_models.sync(client=client)
    assert seen and seen[0].url == "https://api.openai.com/v1/models"


def test_a_users_httpx_client_keeps_its_settings_and_gains_retries(server: ScriptedServer) -> None:
    own = httpx.Client(base_url=server.url + "/v1", headers={"x-team": "blue"}, timeout=3.0)
    transport, headers = own._transport, dict(own.headers)
    server.script(Reply(status=503, body="busy"), json_reply({"object": "list", "data": []}))
    client = _create_client(api_key=API_KEY, http_client=own, retry_policy=FAST)
    assert oa.call(list_models.sync_detailed, client=client).data == []
    assert [r.headers["x-team"] for r in server.received] == ["blue", "blue"]
    # The user's client is left as it was: no key in its headers, its base URL and transport its own, still open.
    assert dict(own.headers) == headers and "authorization" not in own.headers
    assert own._transport is transport and str(own.base_url) == server.url + "/v1/"
    client.close()
    assert not own.is_closed


# --- timeouts ------------------------------------------------------------------------------------------------


def test_the_generated_client_sends_no_timeout_but_ours_does(server: ScriptedServer) -> None:
    raw_timeout = raw_client(server).get_httpx_client().timeout
    assert (raw_timeout.connect, raw_timeout.read) == (None, None)
    ours = client_for(server).get_httpx_client().timeout
    assert (ours.connect, ours.read) == (5.0, 600.0)


def test_a_slow_answer_times_out_and_raw_client_waits(server: ScriptedServer) -> None:
    server.script(Reply(delay=0.6, body=b"{}"), Reply(delay=0.6, body=b"{}"))
    client = client_for(server, timeout=0.2, max_retries=0)
    with pytest.raises(oa.APITimeoutError, match="timed out"):
        oa.call(list_models.sync_detailed, client=client)
    # The raw generated client has no timeout at all: it waits for the slow answer.
    assert raw_client(server).get_httpx_client().get("/models").status_code == 200


def test_per_call_timeout_shares_the_pool(server: ScriptedServer) -> None:
    client = client_for(server, max_retries=0)
    quick = client.with_options(timeout=0.2)
    server.script(Reply(delay=0.6, body=b"{}"))
    with pytest.raises(oa.APITimeoutError):
        oa.call(list_models.sync_detailed, client=quick)
    assert client.timeout.read == 600.0
    quick.get_httpx_client()
    client.get_httpx_client()
    assert client.shared.transport is quick.shared.transport


def test_a_timeout_that_switches_timeouts_off_is_refused() -> None:
    with pytest.raises(ValueError, match="switches timeouts off"):
        _create_client(api_key=API_KEY, timeout=httpx.Timeout(None))


# --- the key never shows -------------------------------------------------------------------------------------


def test_the_key_is_in_no_log_repr_message_or_traceback(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_LOG", "debug")
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client = client_for(server)
        texts += [repr(client), str(client), repr(client.with_headers({"x": "1"}))]
        server.script(Reply(status=503, body=b"x"), json_reply(file_list("file-1")))
        assert isinstance(oa.call(list_files.sync_detailed, client=client), ListFilesResponse)
        for reply in (json_reply(error_body("bad key"), status=401), Reply(status=502, body="<html/>")):
            server.script(*[reply] * 3)
            try:
                oa.call(list_models.sync_detailed, client=client)
            except oa.OpenAIError as exc:
                texts += [str(exc), repr(exc), traceback.format_exc()]
        http = client.get_httpx_client()
        http.close()
    texts += [record.getMessage() for record in caplog.records]
    texts += [caplog.text]
    assert caplog.records, "debug logging is on"
    assert [t for t in texts if API_KEY in t] == []
    assert API_KEY not in repr(http.headers)
    raw = AuthenticatedClient(base_url=server.url, token=API_KEY)
    assert API_KEY in repr(raw)  # what the overrides' client fixes


def test_only_this_layers_client_hides_the_key_the_generated_one_is_upstreams() -> None:
    client = _create_client(api_key=API_KEY, base_url="http://127.0.0.1:9/v1")
    for shown in (client, client.with_options(timeout=1.0), client.with_headers({"x": "1"}), attrs.evolve(client)):
        assert repr(shown) == "OpenAIClient(base_url='http://127.0.0.1:9/v1', gateway=False, token='***')"
    client.get_httpx_client()
    assert API_KEY not in repr(client)
    # The generated client's repr is upstream's attrs repr (its template is not forked): every field, the token too.
    raw = AuthenticatedClient(base_url="http://127.0.0.1:9", token=API_KEY)
    fields = ", ".join(f"{field.name}={getattr(raw, field.name)!r}" for field in attrs.fields(AuthenticatedClient))
    assert repr(raw) == f"AuthenticatedClient({fields})" and f"token={API_KEY!r}" in repr(raw)


def test_the_client_is_an_attrs_subclass_whose_copies_share_the_pools_and_their_lock() -> None:
    client = _create_client(api_key=API_KEY, base_url="http://127.0.0.1:9/v1")
    assert type(client) is OpenAIClient and attrs.has(type(client)) and isinstance(client, AuthenticatedClient)
    built = client.get_httpx_client()
    # with_headers is the generated client's builder, typed to return an AuthenticatedClient: it keeps the class.
    headed = client.with_headers({"x": "1"})
    assert isinstance(headed, OpenAIClient)
    copies = [
        client.with_options(timeout=1.0),
        client.with_options(max_retries=1, deadline=5.0),
        headed,
        attrs.evolve(client),
    ]
    for copied in copies:
        assert type(copied) is OpenAIClient and copied.shared is client.shared
        assert copied.token == API_KEY and copied.base_url == client.base_url
        assert copied.get_httpx_client() is not built  # each copy builds its own httpx client, over the same pool
    assert client.shared.transport is not None and client.shared.lock is copies[0].shared.lock
    assert copies[0].timeout.read == 1.0 and client.timeout.read == 600.0
    assert (copies[1].retry_policy.max_retries, copies[1].deadline) == (1, 5.0)
    assert (client.retry_policy.max_retries, client.deadline) == (2, 1800.0)  # the original keeps its own
    client.close()
    with pytest.raises(oa.ClientClosedError):
        client.get_httpx_client()
    assert not copies[0].get_httpx_client().is_closed


def test_with_options_on_a_users_client_applies_its_timeout_every_time_without_stacking() -> None:
    """A copy per call, a thousand times: each copy's timeout is the one sent, and nothing wraps the one before."""
    sent: list[float | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, json={"object": "list", "data": []})

    own = httpx.Client(transport=httpx.MockTransport(handler), timeout=3.0)
    client = oa.OpenAI(api_key=API_KEY, base_url="http://127.0.0.1:9/v1", http_client=own)
    client.models.list()
    for at in range(1000):
        client.with_options(timeout=10.0 + at % 3).models.list()
    assert sent[0] == 3.0, "with no timeout asked for, the user's client's own is used"
    assert sent[1:4] == [10.0, 11.0, 12.0] and len(sent) == 1001
    assert "authorization" not in own.headers


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
def test_httpx_proxy_environment_variables_are_honoured(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """As an httpx client reads them (this layer builds its pool itself, which would otherwise ignore them)."""
    from tests.helpers.hostile_server import HostileServer, reply

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with HostileServer(reply(200, {"object": "list", "data": []})) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        # Nothing listens at the base URL: only the proxy can answer.
        client = _create_client(api_key=API_KEY, base_url="http://127.0.0.2:9/v1", max_retries=0)
        assert oa.call(list_models.sync_detailed, client=client).data == []
        assert [r.target for r in proxy.requests] == ["http://127.0.0.2:9/v1/models"]
        monkeypatch.setenv("NO_PROXY", "127.0.0.2")
        bypassing = _create_client(api_key=API_KEY, base_url="http://127.0.0.2:9/v1", max_retries=0)
        with pytest.raises(oa.APIConnectionError):
            oa.call(list_models.sync_detailed, client=bypassing)
        assert len(proxy.requests) == 1


@pytest.mark.parametrize("setting", ["retry_policy", "deadline", "gateway", "validate_responses", "shared"])
def test_a_setting_cannot_be_changed_once_the_client_is_made(setting: str) -> None:
    """The httpx clients are built from the settings once: a change afterwards would be silently ignored."""
    client = _create_client(api_key=API_KEY)
    with pytest.raises(AttributeError):
        setattr(client, setting, getattr(client, setting))
    assert client.with_options(deadline=5.0).deadline == 5.0
