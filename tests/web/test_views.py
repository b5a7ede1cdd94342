"""The pages: home with its gallery and own session, session pages, links to a step."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kubeviz import persistence
from kubeviz.models import SavedSession

pytestmark = pytest.mark.django_db


def initial(response) -> dict:
    """The page's `json_script` data, as its scripts read it."""
    html = response.content.decode()
    start = html.index('<script id="kubeviz-initial" type="application/json">')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_home_shows_the_gallery_and_opens_a_session_of_its_own(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    data = initial(response)
    assert SavedSession.objects.filter(pk=data["sessionId"]).exists()
    assert data["wsPath"] == f"/ws/session/{data['sessionId']}/"
    names = [card["name"] for card in data["scenarios"]]
    assert "blank" in names and "web" in names
    assert "New blank cluster" in response.content.decode()


def test_two_visits_to_home_get_two_sessions(client: Client) -> None:
    assert (
        initial(client.get("/"))["sessionId"] != (initial(client.get("/"))["sessionId"])
    )


def test_visits_leave_no_unopened_session_older_than_a_day(
    client: Client, monkeypatch
) -> None:
    """A script fetching / saves a session each time; a later visit tidies up the
    ones no page opened, and keeps any that were opened or are recent."""
    old, opened, recent = (persistence.create("web") for _ in range(3))
    opened.actions, opened.position = [{"step": 1, "op": "kubectl"}], 1
    opened.save()
    a_day_ago = timezone.now() - persistence.UNOPENED_FOR - timedelta(minutes=1)
    SavedSession.objects.filter(pk__in=[old.pk, opened.pk]).update(created=a_day_ago)
    monkeypatch.setattr(persistence, "last_tidy", float("-inf"))
    client.get("/")
    left = set(SavedSession.objects.values_list("pk", flat=True))
    assert old.pk not in left and {opened.pk, recent.pk} <= left


def test_new_session_is_a_post_that_leads_to_the_session_page(client: Client) -> None:
    response = client.post("/s/new", {"scenario": "web"})
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[1]
    assert SavedSession.objects.get(pk=session_id).scenario == "web"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert initial(page)["sessionId"] == session_id


def test_a_blank_session_is_what_no_scenario_means(client: Client) -> None:
    response = client.post("/s/new")
    session_id = response["Location"].rsplit("/", 1)[1]
    assert SavedSession.objects.get(pk=session_id).scenario == "blank"


def test_new_session_needs_the_csrf_token() -> None:
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post("/s/new", {"scenario": "web"}).status_code == 403


def test_an_unknown_scenario_is_not_found(client: Client) -> None:
    assert client.post("/s/new", {"scenario": "nope"}).status_code == 404


def test_an_unknown_session_is_not_found(client: Client) -> None:
    assert client.get("/s/doesnotexist").status_code == 404


def test_a_link_with_a_step_reopens_the_session_there(client: Client) -> None:
    session_id = persistence.create("web").id
    response = client.get(f"/s/{session_id}?step=4")
    assert initial(response)["step"] == 4
    assert SavedSession.objects.get(pk=session_id).position == 4


@pytest.mark.parametrize("value", ["-1", "abc", "1e3", "9999999999"])
def test_a_bad_step_in_a_link_is_ignored(client: Client, value: str) -> None:
    session_id = persistence.create("web").id
    assert client.get(f"/s/{session_id}?step={value}").status_code == 200
    assert SavedSession.objects.get(pk=session_id).position == 0


def test_pages_are_not_cached_and_not_framed(client: Client) -> None:
    response = client.get("/")
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_scenario_list_is_json(client: Client) -> None:
    data = client.get("/api/scenarios").json()
    assert {"name", "title", "summary"} <= set(data["scenarios"][0])


def test_static_files_are_served_by_the_app(client: Client) -> None:
    response = client.get("/static/js/main.js")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]


def test_health(client: Client) -> None:
    assert client.get("/healthz").content == b"ok\n"


def test_pages_allow_scripts_from_this_server_only(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_the_cluster_tab_offers_only_the_kube_proxy_mode_that_is_modelled(
    client: Client,
) -> None:
    """Offering IPVS or nftables while the picture draws iptables rules would teach
    a falsehood (issue 16): the select holds iptables alone until they are modelled."""
    html = client.get("/").content.decode()
    select = html[html.index('<select name="proxyMode">') :]
    select = select[: select.index("</select>")]
    assert 'value="iptables"' in select
    assert "ipvs" not in select.lower() and "nftables" not in select.lower()
