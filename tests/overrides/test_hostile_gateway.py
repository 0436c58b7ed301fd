"""The hostile-server matrix at a gateway's own path (``x-gateway-quirk``): whatever the gateway does there, a list
through the facade ends in a typed error of this library naming what was wrong, the API key shows nowhere, and
``shared.gateway_paths`` never remembers a path that did not answer.

Eight cases, each sync and (where the path differs) async:

1. the gateway path resets the connection: retried, then ``APIConnectionError`` naming the gateway path; no fallback,
   nothing remembered, and once the gateway answers it is asked again;
2. the gateway path answers 404 echoing the key: the fallback answers, and no error, log or result shows the key;
3. the gateway path and the canonical path both answer 404: the canonical ``NotFoundError``, memory says canonical;
4. the gateway path redirects: to the canonical path on the same origin it is followed (a 302 is temporary, so the
   gateway path stays remembered and is asked again); to another origin it is not (``APIRedirectError``, the other
   origin never asked, the key masked in the location);
5. the gateway path answers 200 with a body that is not the spec's list: ``ResponseValidationError`` naming
   ``listFilesGateway`` and the field; no fallback;
6. the gateway path answers 200 with HTML, or with another content type: HTML is a ``ResponseValidationError`` at
   ``(body)``; the spec's list under another label is accepted (the body is judged, not its label);
7. 16 threads making a fresh client's first list at once while the gateway path 404s: every call succeeds, memory
   says canonical, and later calls (copies too) go only to ``/v1/files``;
8. the same fallback under ``asyncio.gather`` of 20 lists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

import openai_api as oa
from openai_api._client import OpenAIClient
from openai_api_client.checks import GATEWAY_PATHS
from tests.helpers.clients import aclient_for, afacade, client_for, facade
from tests.helpers.factories import API_KEY, error_body, file_list
from tests.helpers.hostile_server import (
    Action,
    Conn,
    HostileServer,
    Request,
    aclient,
    aexpect,
    assert_key_hidden,
    client,
    expect,
    reply,
    reset,
)
from tests.helpers.scripted_server import Received, Reply, ScriptedServer, json_reply

GATEWAY = GATEWAY_PATHS["GET /files"].path
"""The gateway's own path, as the memory names it (``/files%2520_``)."""
GATEWAY_TARGET = "/v1" + GATEWAY
CANONICAL_TARGET = "/v1/files"
REMEMBERS_GATEWAY = {"GET /files": GATEWAY}
REMEMBERS_CANONICAL = {"GET /files": "/files"}
HTML = "<html><head><title>Sign in</title></head><body><form action='/login'></form></body></html>"


def gateway_then_canonical(at_gateway: Callable[[Received], Reply]) -> Callable[[Received], Reply]:
    """A handler: ``at_gateway`` answers the gateway path, the canonical path lists ``file-1``."""

    def handle(request: Received) -> Reply:
        if request.target.startswith(GATEWAY_TARGET):
            return at_gateway(request)
        return json_reply(file_list("file-1"))

    return handle


def echo_key_404(request: Received) -> Reply:
    """A 404 whose message echoes the key the request carried, unmasked."""
    return json_reply(error_body(f"Invalid URL, key {request.headers.get('authorization', '')}"), status=404)


def targets(server: ScriptedServer) -> list[str]:
    return [r.target for r in server.received]


def by_path(at_gateway: Action, at_canonical: Action) -> Action:
    """A hostile action that answers the gateway path and the canonical path each its own way."""

    def act(conn: Conn, request: Request) -> bool:
        return (at_gateway if request.path == GATEWAY_TARGET else at_canonical)(conn, request)

    return act


# --- 1. the gateway path resets the connection -------------------------------------------------------------------


def test_a_reset_at_the_gateway_path_raises_without_falling_back_or_remembering() -> None:
    """A reset is no answer: it says nothing about the canonical path, so the client must neither ask it nor learn."""
    with HostileServer(by_path(reset(), reply(200, file_list("file-1")))) as server:
        c = client(server, gateway=True)
        exc = expect(oa.APIConnectionError, lambda: facade(c).files.list())
        assert [r.target for r in server.requests] == [GATEWAY_TARGET] * 3  # the first attempt and two retries
    assert GATEWAY_TARGET in str(exc) and "reset" in str(exc).lower()
    assert c.shared.gateway_paths == {}


def test_after_resets_the_gateway_path_is_asked_again_and_learnt_when_it_answers() -> None:
    resets = [reset()] * 3
    with HostileServer(*resets, by_path(reply(200, file_list("file-9")), reply(404, error_body("no")))) as server:
        c = client(server, gateway=True)
        expect(oa.APIConnectionError, lambda: facade(c).files.list())
        assert [f.id for f in facade(c).files.list().data] == ["file-9"]
        assert [r.target for r in server.requests] == [GATEWAY_TARGET] * 4
    assert c.shared.gateway_paths == REMEMBERS_GATEWAY


async def test_a_reset_at_the_gateway_path_raises_without_falling_back_async() -> None:
    with HostileServer(by_path(reset(), reply(200, file_list("file-1")))) as server:
        c = aclient(server, gateway=True)
        exc = await aexpect(oa.APIConnectionError, lambda: afacade(c).files.list())
        assert [r.target for r in server.requests] == [GATEWAY_TARGET] * 3
    assert GATEWAY_TARGET in str(exc)
    assert c.shared.gateway_paths == {}


# --- 2. a 404 at the gateway path echoes the key -----------------------------------------------------------------


def test_a_404_echoing_the_key_falls_back_and_the_key_shows_nowhere(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The swallowed 404 must not leak its body anywhere: not in a log, not in the list the fallback returns."""
    caplog.set_level(logging.DEBUG, logger="openai_api")
    caplog.set_level(logging.DEBUG, logger="httpx")
    server.handler = gateway_then_canonical(echo_key_404)
    c = client_for(server, gateway=True)
    page = facade(c).files.list()
    assert [f.id for f in page.data] == ["file-1"]
    assert targets(server) == [GATEWAY_TARGET, CANONICAL_TARGET]
    assert server.received[0].headers["authorization"] == f"Bearer {API_KEY}", "the echo would prove nothing"
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL
    assert caplog.records, "debug logging recorded nothing: the check below would prove nothing"
    assert API_KEY not in caplog.text and API_KEY not in repr(page)


async def test_a_404_echoing_the_key_falls_back_async(server: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="openai_api")
    caplog.set_level(logging.DEBUG, logger="httpx")
    server.handler = gateway_then_canonical(echo_key_404)
    c = aclient_for(server, gateway=True)
    assert [f.id for f in (await afacade(c).files.list()).data] == ["file-1"]
    assert targets(server) == [GATEWAY_TARGET, CANONICAL_TARGET]
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL
    assert API_KEY not in caplog.text


# --- 3. 404 at both paths -----------------------------------------------------------------------------------------


def test_404_at_both_paths_is_the_canonical_not_found_and_memory_says_canonical(server: ScriptedServer) -> None:
    """The error a user sees is the canonical path's (the one every other client asks); the gateway's own path
    did not answer, so it is not asked again."""
    server.handler = echo_key_404
    c = client_for(server, gateway=True)
    with pytest.raises(oa.NotFoundError) as info:
        facade(c).files.list()
    assert info.value.status_code == 404
    assert info.value.response.request.url.raw_path == CANONICAL_TARGET.encode()
    assert f"{CANONICAL_TARGET}," in str(info.value) and GATEWAY_TARGET not in str(info.value)
    assert_key_hidden(info.value, API_KEY)
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL
    with pytest.raises(oa.NotFoundError):
        facade(c).files.list()
    assert targets(server) == [GATEWAY_TARGET, CANONICAL_TARGET, CANONICAL_TARGET]


async def test_404_at_both_paths_is_the_canonical_not_found_async(server: ScriptedServer) -> None:
    server.handler = echo_key_404
    c = aclient_for(server, gateway=True)
    with pytest.raises(oa.NotFoundError) as info:
        await afacade(c).files.list()
    assert info.value.response.request.url.raw_path == CANONICAL_TARGET.encode()
    assert_key_hidden(info.value, API_KEY)
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL
    assert targets(server) == [GATEWAY_TARGET, CANONICAL_TARGET]


# --- 4. the gateway path redirects --------------------------------------------------------------------------------


def test_a_302_to_the_canonical_path_is_followed_and_the_gateway_path_stays_asked(server: ScriptedServer) -> None:
    """A 302 is temporary (RFC 9110: keep using the target URI), and the gateway path did answer: the memory keeps
    the gateway path, so each list asks it first and follows its redirect again."""
    server.handler = gateway_then_canonical(lambda _: Reply(302, headers={"location": CANONICAL_TARGET}))
    c = client_for(server, gateway=True)
    assert [f.id for f in facade(c).files.list().data] == ["file-1"]
    assert targets(server) == [GATEWAY_TARGET, CANONICAL_TARGET]
    assert server.received[1].headers["authorization"] == f"Bearer {API_KEY}"  # the same origin
    assert c.shared.gateway_paths == REMEMBERS_GATEWAY
    facade(c).files.list()
    assert targets(server)[2:] == [GATEWAY_TARGET, CANONICAL_TARGET]


def test_a_redirect_to_another_origin_is_not_followed_and_the_key_stays_home(server: ScriptedServer) -> None:
    with ScriptedServer(lambda _: json_reply(file_list("stolen"))) as other:
        location = f"{other.url}{CANONICAL_TARGET}?key={API_KEY}"
        server.handler = gateway_then_canonical(lambda _: Reply(302, headers={"location": location}))
        c = client_for(server, gateway=True)
        with pytest.raises(oa.APIRedirectError) as info:
            facade(c).files.list()
        assert other.received == []
    assert targets(server) == [GATEWAY_TARGET], "a redirect is not a 404: no fallback"
    assert info.value.status_code == 302 and "another origin" in str(info.value)
    assert info.value.location is not None and info.value.location.startswith(f"{other.url}{CANONICAL_TARGET}?key=")
    assert_key_hidden(info.value, API_KEY)
    assert c.shared.gateway_paths == {}


async def test_a_redirect_to_another_origin_is_not_followed_async(server: ScriptedServer) -> None:
    with ScriptedServer(lambda _: json_reply(file_list("stolen"))) as other:
        location = f"{other.url}{CANONICAL_TARGET}"
        server.handler = gateway_then_canonical(lambda _: Reply(302, headers={"location": location}))
        c = aclient_for(server, gateway=True)
        with pytest.raises(oa.APIRedirectError) as info:
            await afacade(c).files.list()
        assert other.received == []
    assert_key_hidden(info.value, API_KEY)
    assert c.shared.gateway_paths == {}


# --- 5. and 6. a 200 that is not the spec's list -----------------------------------------------------------------

NOT_THE_LIST: dict[str, tuple[Callable[[Received], Reply], str]] = {
    # the gateway's answer, the field the error names (exactly)
    "data echoes the key": (
        lambda r: json_reply({"object": "list", "data": r.headers.get("authorization", "")}),
        "data",
    ),
    "no data": (lambda _: json_reply({"object": "list", "files": []}), "data"),
    "a file without an id": (
        lambda _: json_reply({"object": "list", "data": [{"object": "file", "bytes": 1}]}),
        "data[0].id",
    ),
    "json null": (lambda _: Reply(200, b"null", {"content-type": "application/json"}), "(body)"),
    "html": (lambda _: Reply(200, HTML, {"content-type": "text/html; charset=utf-8"}), "(body)"),
    "html labelled json": (lambda _: Reply(200, HTML, {"content-type": "application/json"}), "(body)"),
    "no content type, not json": (lambda _: Reply(200, b"OK"), "(body)"),
}


@pytest.mark.parametrize("case", NOT_THE_LIST)
def test_a_200_that_is_not_the_list_names_the_gateway_operation(server: ScriptedServer, case: str) -> None:
    """The answer came from the gateway's path, so the error names its operation, and the part at fault. A 200 is
    not a 404: no fallback, and the memory holds the gateway path, which is what no memory means too (the
    gateway asked first, a 404 there still falling back)."""
    at_gateway, field = NOT_THE_LIST[case]
    server.handler = gateway_then_canonical(at_gateway)
    c = client_for(server, gateway=True)
    with pytest.raises(oa.ResponseValidationError) as info:
        facade(c).files.list()
    assert info.value.operation == "listFilesGateway" and "listFilesGateway" in str(info.value)
    assert info.value.field == field and repr(field) in str(info.value)
    assert_key_hidden(info.value, API_KEY)
    assert targets(server) == [GATEWAY_TARGET]
    assert c.shared.gateway_paths == REMEMBERS_GATEWAY


@pytest.mark.parametrize("case", ["data echoes the key", "html"])
async def test_a_200_that_is_not_the_list_names_the_gateway_operation_async(server: ScriptedServer, case: str) -> None:
    at_gateway, field = NOT_THE_LIST[case]
    server.handler = gateway_then_canonical(at_gateway)
    c = aclient_for(server, gateway=True)
    with pytest.raises(oa.ResponseValidationError) as info:
        await afacade(c).files.list()
    assert info.value.operation == "listFilesGateway" and info.value.field == field
    assert_key_hidden(info.value, API_KEY)
    assert targets(server) == [GATEWAY_TARGET]


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", "application/octet-stream"])
def test_the_list_under_another_content_type_is_accepted(server: ScriptedServer, content_type: str) -> None:
    """The library holds the body to the spec, not its label (as for every operation): a whole, valid list is the
    gateway's answer whatever it calls itself."""
    body = json.dumps(file_list("file-g"))
    server.handler = gateway_then_canonical(lambda _: Reply(200, body, {"content-type": content_type}))
    c = client_for(server, gateway=True)
    assert [f.id for f in facade(c).files.list().data] == ["file-g"]
    assert targets(server) == [GATEWAY_TARGET]
    assert c.shared.gateway_paths == REMEMBERS_GATEWAY


# --- 7. and 8. many first calls at once on a fresh client --------------------------------------------------------


def assert_the_first_wave_fell_back(server: ScriptedServer, c: OpenAIClient, calls: int) -> int:
    """Every call of the wave reached the canonical path, some tried the gateway's first; the memory says canonical.
    Returns how many requests the wave made."""
    first = Counter(targets(server))
    assert set(first) == {GATEWAY_TARGET, CANONICAL_TARGET}
    assert first[CANONICAL_TARGET] == calls and 1 <= first[GATEWAY_TARGET] <= calls
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL
    return sum(first.values())


def assert_later_lists_ask_only_the_canonical_path(server: ScriptedServer, c: OpenAIClient, seen: int) -> None:
    later = Counter(targets(server)[seen:])
    assert later == Counter({CANONICAL_TARGET: LATER})
    assert c.shared.gateway_paths == REMEMBERS_CANONICAL


THREADS = 16
TASKS = 20
LATER = 6


def gateway_404s(request: Received) -> Reply:
    return gateway_then_canonical(lambda _: json_reply(error_body("Invalid URL"), status=404))(request)


def test_sixteen_threads_first_lists_all_fall_back_and_later_lists_ask_only_canonical(server: ScriptedServer) -> None:
    """Every thread may ask the gateway path before any learns it 404s; each such 404 must still end in the
    canonical answer, and what is learnt must be the canonical path, for the client and its copies."""
    server.handler = gateway_404s
    c = client_for(server, gateway=True)
    api = facade(c)
    start = threading.Barrier(THREADS, timeout=30)

    def first_list(_: int) -> list[str]:
        start.wait()
        return [f.id for f in api.files.list().data]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(first_list, range(THREADS), timeout=60))
    assert results == [["file-1"]] * THREADS
    seen = assert_the_first_wave_fell_back(server, c, THREADS)

    copy = facade(c.with_options(timeout=5.0))
    for at in range(LATER):
        assert [f.id for f in (api if at % 2 else copy).files.list().data] == ["file-1"]
    assert_later_lists_ask_only_the_canonical_path(server, c, seen)


async def test_twenty_gathered_first_lists_all_fall_back_and_later_lists_ask_only_canonical(
    server: ScriptedServer,
) -> None:
    server.handler = gateway_404s
    c: OpenAIClient = aclient_for(server, gateway=True)
    api = afacade(c)
    pages = await asyncio.wait_for(asyncio.gather(*(api.files.list() for _ in range(TASKS))), timeout=60)
    assert [[f.id for f in page.data] for page in pages] == [["file-1"]] * TASKS
    seen = assert_the_first_wave_fell_back(server, c, TASKS)

    copy = afacade(c.with_options(timeout=5.0))
    for at in range(LATER):
        assert [f.id for f in (await (api if at % 2 else copy).files.list()).data] == ["file-1"]
    assert_later_lists_ask_only_the_canonical_path(server, c, seen)
