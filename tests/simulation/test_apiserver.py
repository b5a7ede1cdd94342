"""kube-apiserver: validation worded like kubectl, defaults, admission, the record."""

from __future__ import annotations

import pytest

from simulation.admission import DEFAULT_TOLERATIONS, TOKEN_MOUNT
from simulation.errors import AlreadyExists, Invalid, NotFound, SimulationError


def _create(cluster, obj):
    return cluster.api.create(obj, actor="kubectl")


def _error(cluster, obj) -> str:
    result = cluster.act({"op": "apply", "objects": [obj]})
    assert not result.ok
    return result.error


def test_an_invalid_name_is_refused_with_kubectls_message(cluster, k8s):
    """Upper case is not a DNS-1123 subdomain; the message quotes the regex."""
    assert _error(cluster, k8s.deployment("Web")) == (
        'The Deployment "Web" is invalid: metadata.name: Invalid value: "Web": a'
        " lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
        " characters, '-' or '.', and must start and end with an alphanumeric"
        " character (e.g. 'example.com', regex used for validation is"
        " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "web&amp;",
        "a b",
        "-web",
        "web-",
        "web_1",
        "x" * 254,
    ],
)
def test_names_carrying_markup_or_bad_characters_are_rejected(cluster, k8s, name):
    """Only [a-z0-9.-] names are stored: no HTML or script can reach the browser."""
    with pytest.raises(Invalid) as caught:
        _create(cluster, k8s.pod(name))
    assert "metadata.name: Invalid value" in str(caught.value)
    assert cluster.store.count("pods", "default") == 0


def test_a_service_name_must_be_a_dns_1035_label(cluster, k8s):
    """Services may not start with a digit (they become DNS names)."""
    message = _error(cluster, k8s.service("1web"))
    assert message.startswith('The Service "1web" is invalid: metadata.name:')
    assert "DNS-1035 label" in message


def test_a_long_invalid_value_is_shortened_in_the_message(cluster, k8s):
    """Values over 80 characters are cut with `...`, as the API server does."""
    message = _error(cluster, k8s.pod("A" * 100))
    assert '"' + "A" * 80 + '..."' in message


def test_several_causes_are_listed_together(cluster, k8s):
    """Every cause in one message, in brackets, comma-separated."""
    bad = k8s.deployment("web", replicas=-1)
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    message = _error(cluster, bad)
    assert message.startswith('The Deployment "web" is invalid: [')
    assert (
        'spec.replicas: Invalid value: "-1": must be greater than or equal to 0'
        in message
    )
    assert "spec.template.spec.containers[0].image: Required value" in message


def test_a_selector_that_misses_the_template_labels_is_invalid(cluster, k8s):
    """`selector` does not match template `labels`."""
    bad = k8s.deployment("web")
    bad["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    assert "`selector` does not match template `labels`" in _error(cluster, bad)


def test_an_unknown_kind_is_a_mapping_error(cluster):
    """kubectl's wording when no resource serves the kind."""
    message = _error(
        cluster,
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
    )
    assert message == (
        'error: resource mapping not found for kind "Widget" in version'
        ' "example.com/v1": ensure CRDs are installed first'
    )


def test_a_missing_namespace_is_not_found(cluster, k8s):
    """Objects need their namespace to exist first."""
    obj = k8s.pod("solo")
    obj["metadata"]["namespace"] = "shop"
    with pytest.raises(NotFound, match='namespaces "shop" not found'):
        _create(cluster, obj)


def test_creating_twice_is_already_exists(cluster, k8s):
    """POST of an existing name fails (apply would update instead)."""
    _create(cluster, k8s.pod("solo"))
    with pytest.raises(AlreadyExists, match='pods "solo" already exists'):
        _create(cluster, k8s.pod("solo"))


def test_a_failed_apply_changes_nothing(cluster, k8s):
    """An apply whose only object is refused writes nothing and is not a step."""
    revision, step = cluster.store.revision, cluster.step_no
    result = cluster.act({"op": "apply", "objects": [k8s.pod("Bad")]})
    assert not result.ok and result.event is None
    assert cluster.store.revision == revision and cluster.step_no == step


def test_a_bad_object_does_not_stop_the_good_one(cluster, k8s):
    """kubectl apply.go sends each object on its own and collects the errors:
    the good pod is created in a step, the bad one is reported."""
    result = cluster.act({"op": "apply", "objects": [k8s.pod("good"), k8s.pod("Bad")]})
    assert not result.ok and result.event is not None
    assert result.output == "pod/good created"
    assert result.error.startswith('The Pod "Bad" is invalid: metadata.name')
    assert cluster.store.get("pods", "default", "good") is not None


def test_pod_defaults_are_filled_in(cluster, k8s):
    """restartPolicy, grace period, dnsPolicy, schedulerName, pull policy."""
    pod = _create(cluster, k8s.pod("solo"))
    spec = pod["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert pod["status"]["phase"] == "Pending"
    assert pod["status"]["qosClass"] == "Burstable"


def test_latest_or_untagged_images_are_always_pulled(cluster, k8s):
    """imagePullPolicy defaults to Always for :latest and for no tag."""
    obj = k8s.pod("solo")
    obj["spec"]["containers"][0]["image"] = "nginx"
    assert _create(cluster, obj)["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_deployment_defaults_include_a_rolling_update_of_25_percent(cluster, k8s):
    """strategy RollingUpdate with maxSurge and maxUnavailable 25%."""
    deploy = _create(cluster, k8s.deployment("web"))
    assert deploy["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
    }
    assert deploy["spec"]["revisionHistoryLimit"] == 10
    assert deploy["metadata"]["generation"] == 1


def test_service_defaults_and_cluster_ip(cluster, k8s):
    """type ClusterIP, targetPort = port, protocol TCP, an IP from 10.96.0.0/12."""
    svc = _create(cluster, k8s.service("web"))
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["ports"][0]["protocol"] == "TCP"
    assert svc["spec"]["clusterIPs"] == [svc["spec"]["clusterIP"]]
    first, second = (int(x) for x in svc["spec"]["clusterIP"].split(".")[:2])
    assert first == 10 and 96 <= second <= 111


def test_admission_adds_the_300s_default_tolerations(cluster, k8s):
    """DefaultTolerationSeconds: not-ready and unreachable, NoExecute, 300 s."""
    tolerations = _create(cluster, k8s.pod("solo"))["spec"]["tolerations"]
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        assert {
            "key": key,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        } in tolerations
    assert len(DEFAULT_TOLERATIONS) == 2


def test_a_pods_own_toleration_is_kept_not_duplicated(cluster, k8s):
    """A pod that sets tolerationSeconds for unreachable keeps its own value."""
    own = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 30,
    }
    tolerations = _create(cluster, k8s.pod("solo", tolerations=[own]))["spec"][
        "tolerations"
    ]
    unreachable = [t for t in tolerations if t["key"] == own["key"]]
    assert unreachable == [own]


def test_admission_mounts_the_service_account_token(cluster, k8s):
    """A projected kube-api-access volume: token, CA bundle and namespace."""
    pod = _create(cluster, k8s.pod("solo"))
    assert pod["spec"]["serviceAccountName"] == "default"
    (volume,) = pod["spec"]["volumes"]
    assert volume["name"].startswith("kube-api-access-")
    sources = volume["projected"]["sources"]
    assert sources[0]["serviceAccountToken"]["path"] == "token"
    assert sources[1]["configMap"]["name"] == "kube-root-ca.crt"
    mount = pod["spec"]["containers"][0]["volumeMounts"][0]
    assert mount == {"name": volume["name"], "readOnly": True, "mountPath": TOKEN_MOUNT}


def test_automount_false_skips_the_token(cluster, k8s):
    """automountServiceAccountToken: false — no volume, no mount."""
    pod = _create(cluster, k8s.pod("solo", automountServiceAccountToken=False))
    assert "volumes" not in pod["spec"]
    assert "volumeMounts" not in pod["spec"]["containers"][0]


def test_a_missing_service_account_is_forbidden(cluster, k8s):
    """Admission refuses a pod naming a ServiceAccount that does not exist."""
    with pytest.raises(SimulationError, match='serviceaccount "robot" not found'):
        _create(cluster, k8s.pod("solo", serviceAccountName="robot"))


def test_every_namespace_gets_a_default_service_account(cluster):
    """The ServiceAccount controller makes `default` and the CA ConfigMap."""
    cluster.act(
        {
            "op": "apply",
            "objects": [
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
            ],
        }
    )
    cluster.settle()
    assert cluster.store.get("serviceaccounts", "shop", "default")
    assert cluster.store.get("configmaps", "shop", "kube-root-ca.crt")


def test_every_call_is_recorded_with_actor_verb_and_path(cluster, k8s):
    """A step lists its API calls: kubectl POSTs to the deployments collection."""
    event = cluster.act({"op": "apply", "objects": [k8s.deployment("web")]}).event
    assert [c.to_dict() for c in event.api_calls] == [
        {
            "actor": "kubectl",
            "verb": "POST",
            "path": "/apis/apps/v1/namespaces/default/deployments",
        }
    ]
    assert event.writes[0].key == "/registry/deployments/default/web"


def test_the_scheduler_binds_through_the_binding_subresource(cluster, k8s):
    """Binding is POST pods/NAME/binding, the scheduler's only write."""
    cluster.act({"op": "apply", "objects": [k8s.pod("solo")]})
    bound = next(e for e in cluster.settle() if e.type == "pod.scheduled")
    assert bound.api_calls[0].to_dict() == {
        "actor": "kube-scheduler",
        "verb": "POST",
        "path": "/api/v1/namespaces/default/pods/solo/binding",
    }


def test_a_spec_change_bumps_the_generation(cluster, k8s):
    """metadata.generation counts spec changes, not status updates."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1))
    generation = cluster.store.get("deployments", "default", "web")["metadata"][
        "generation"
    ]
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    assert (
        cluster.store.get("deployments", "default", "web")["metadata"]["generation"]
        == generation + 1
    )


def test_a_taken_cluster_ip_is_refused(cluster, k8s):
    """Asking for an allocated ClusterIP is Invalid."""
    svc = k8s.service("dns2")
    svc["spec"]["clusterIP"] = "10.96.0.10"
    assert "provided IP is already allocated" in _error(cluster, svc)


def test_node_port_outside_the_range_is_refused(cluster, k8s):
    """nodePort must be in 30000-32767."""
    svc = k8s.service("web", type_="NodePort")
    svc["spec"]["ports"][0]["nodePort"] = 80
    assert "The range of valid ports is 30000-32767" in _error(cluster, svc)


def test_kinds_without_a_spec_get_none(cluster):
    """Events, EndpointSlices and ServiceAccounts have no spec and no generation."""
    for plural, ns in (
        ("events", "kube-system"),
        ("endpointslices", "default"),
        ("serviceaccounts", "default"),
    ):
        obj = cluster.store.list(plural, ns)[0]
        assert "spec" not in obj and "generation" not in obj["metadata"], plural
