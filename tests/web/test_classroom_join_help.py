"""A wrong join code gets a page that helps: what was wrong, and the form again."""

from __future__ import annotations

import pytest

from kubeviz.classroom.models import Classroom

pytestmark = pytest.mark.django_db


def start(client) -> str:
    client.post("/c/new", {"scenario": "web"})
    return Classroom.objects.get().code


def test_an_unknown_code_says_so_and_offers_the_join_form_again(client) -> None:
    response = client.get("/c/ZZZZZZ")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No classroom has the code ZZZZZZ." in html
    assert 'name="code" value="ZZZZZZ"' in html, "the form keeps what was typed"
    assert "ask the presenter for the current code" in html
    assert "Not Found" not in html


def test_a_code_with_a_character_codes_never_use_names_it(client) -> None:
    response = client.get("/c/join", {"code": "k7q0x1"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No classroom has the code K7Q0X1." in html
    assert "Codes never contain 0 or 1:" in html


def test_a_code_of_the_wrong_length_says_how_long_codes_are(client) -> None:
    html = client.get("/c/join", {"code": "ABCD"}).content.decode()
    assert "Codes have 6 characters; this one has 4." in html


def test_something_that_cannot_be_a_code_gets_the_same_help(client) -> None:
    response = client.get("/c/no-such-room")
    assert response.status_code == 404
    assert "No classroom has the code NO-SUCH-ROOM." in response.content.decode()


def test_a_right_code_typed_loosely_still_joins(client) -> None:
    code = start(client)
    response = client.get("/c/join", {"code": f" {code.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/c/{code}"
