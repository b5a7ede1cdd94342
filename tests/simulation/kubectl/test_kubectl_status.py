"""Status is a subresource: a plain PATCH leaves it alone, `--subresource=status`
writes it.

Sources: kubernetes pkg/registry/core/service/strategy.go and pod/strategy.go
(PrepareForUpdate copies the old status over the new; the status strategy copies
the old spec), kubectl's patch command (`--subresource`, "Must be one of [status
scale]") and its "patched (no change)" when the server returns the same object.
"""

from __future__ import annotations

import json

STATUS = {"status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}}


def _ingress(cluster) -> list:
    svc = cluster.store.get("services", "default", "web")
    return svc["status"].get("loadBalancer", {}).get("ingress", [])


def test_a_plain_patch_of_status_changes_nothing(web, kc):
    """The service strategy's PrepareForUpdate keeps the stored status."""
    line = f"kubectl patch service web -p '{json.dumps(STATUS)}'"
    assert kc.ok(web, line) == "service/web patched (no change)"
    assert _ingress(web) == []


def test_a_plain_patch_writes_the_spec_and_keeps_the_status(web, kc):
    body = {"spec": {"sessionAffinity": "ClientIP"}, **STATUS}
    assert kc.ok(web, f"kubectl patch svc web -p '{json.dumps(body)}'") == (
        "service/web patched"
    )
    svc = web.store.get("services", "default", "web")
    assert svc["spec"]["sessionAffinity"] == "ClientIP"
    assert _ingress(web) == []


def test_patch_subresource_status_writes_the_status(web, kc):
    """kubectl 1.24+: `--subresource=status` sends the PATCH to .../status."""
    line = f"kubectl patch service web --subresource=status -p '{json.dumps(STATUS)}'"
    assert kc.ok(web, line) == "service/web patched"
    assert _ingress(web) == [{"ip": "203.0.113.9"}]
    call = web.api.calls[-1]
    assert (call.verb, call.path) == (
        "PATCH",
        "/api/v1/namespaces/default/services/web/status",
    )


def test_the_status_subresource_ignores_the_spec(web, kc):
    """The status strategy copies the old spec over the new."""
    body = {"spec": {"sessionAffinity": "ClientIP"}, **STATUS}
    line = f"kubectl patch svc web --subresource status -p '{json.dumps(body)}'"
    kc.ok(web, line)
    svc = web.store.get("services", "default", "web")
    assert svc["spec"]["sessionAffinity"] == "None"
    assert _ingress(web) == [{"ip": "203.0.113.9"}]


def test_an_unknown_subresource_is_refused_as_kubectl_refuses_it(web, kc):
    error = kc.fails(web, "kubectl patch svc web --subresource=spec -p '{}'")
    assert error == (
        'error: invalid subresource value: "spec". Must be one of [status scale]'
    )


def test_an_update_through_the_api_keeps_the_stored_status(web):
    """Any client's PUT of the object: the status it carries is not written."""
    svc = web.store.get("services", "default", "web")
    changed = json.loads(json.dumps(svc))
    changed["status"] = STATUS["status"]
    changed["metadata"].setdefault("labels", {})["tier"] = "front"
    web.api.update(changed, actor="kubectl")
    stored = web.store.get("services", "default", "web")
    assert stored["metadata"]["labels"]["tier"] == "front"
    assert _ingress(web) == []
