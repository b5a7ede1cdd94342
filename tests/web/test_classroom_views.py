"""The classroom pages: starting one, joining by code, the QR code, the token."""

from __future__ import annotations

import pytest

from kubeviz import persistence
from kubeviz.classroom import services
from kubeviz.classroom.models import CODE_ALPHABET, CODE_LENGTH, Classroom

pytestmark = pytest.mark.django_db


def start(client, **form) -> tuple[str, str]:
    response = client.post("/c/new", {"scenario": "deploy", **form})
    assert response.status_code == 302
    code = response["Location"].split("/")[2]
    return code, response.cookies[services.cookie_name(code)]


def test_starting_a_classroom_gives_a_short_code_and_an_httponly_token(
    client,
) -> None:
    code, cookie = start(client)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    row = Classroom.objects.get(pk=code)
    assert services.is_presenter(row, cookie.value)
    assert cookie.value not in row.presenter_digest


def test_a_classroom_can_start_from_an_existing_session(client) -> None:
    session = persistence.create("web")
    code, _ = start(client, session=session.id)
    assert Classroom.objects.get(pk=code).session_id != session.id


def test_the_presenter_page_needs_the_token(client) -> None:
    code, _ = start(client)
    assert client.get(f"/c/{code}/present").status_code == 200
    client.cookies.clear()
    response = client.get(f"/c/{code}/present")
    assert response.status_code == 302 and response["Location"] == f"/c/{code}"


def test_the_follower_page_never_carries_the_token(client) -> None:
    code, cookie = start(client)
    client.cookies.clear()
    html = client.get(f"/c/{code}").content.decode()
    assert cookie.value not in html
    assert f"/ws/classroom/{code}/" in html
    session_id = Classroom.objects.get(pk=code).session_id
    assert session_id not in html


def test_a_display_name_is_escaped_in_the_page(client) -> None:
    code, _ = start(client)
    client.cookies.clear()
    html = client.get(f"/c/{code}", {"name": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_joining_by_code_forgives_case_and_spaces(client) -> None:
    code, _ = start(client)
    typed = f" {code[:3].lower()} {code[3:].lower()}"
    response = client.get("/c/join", {"code": typed, "name": "Ada"})
    assert response["Location"] == f"/c/{code}?name=Ada"


def test_an_unknown_code_is_not_found(client) -> None:
    assert client.get("/c/ZZZZZZ").status_code == 404
    assert client.get("/c/ZZZZZZ/qr.svg").status_code == 404


def test_the_qr_code_is_an_svg_of_the_join_url(client) -> None:
    code, _ = start(client)
    response = client.get(f"/c/{code}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<") and "<svg" in svg and "<path" in svg


def test_a_classroom_can_present_a_lesson(client) -> None:
    assert "A tour of a cluster" in client.get("/c/").content.decode()
    code, _ = start(client, lesson="01-tour")
    assert Classroom.objects.get(pk=code).lesson == "01-tour"
    assert client.post("/c/new", {"lesson": "no-such-lesson"}).status_code == 404


def test_a_pasted_session_link_starts_at_its_step(client) -> None:
    session = persistence.create("deploy")
    link = f"http://testserver/s/{session.id}?step=3"
    code, _ = start(client, session=link)
    copy = Classroom.objects.get(pk=code).session
    assert copy.id != session.id and copy.position == 3


def test_a_session_page_can_link_to_presenting_it(client) -> None:
    session = persistence.create("web")
    html = client.get("/c/", {"session": session.id}).content.decode()
    assert f'value="{session.id}"' in html
