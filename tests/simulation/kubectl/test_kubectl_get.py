"""`kubectl get`: kubectl's columns, padding, formats and messages."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.kubectl.printers import yamlout
from simulation.kubectl.printers.tabwriter import table


def test_columns_are_padded_three_spaces_past_the_widest_cell():
    """tabwriter padding 3; the last column is not padded."""
    assert table([["NAME", "AGE"], ["web-1", "5s"]]) == "NAME    AGE\nweb-1   5s"


def test_pods_columns(web, kc):
    out = kc.ok(web, "kubectl get pods")
    assert kc.header(out) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = kc.rows(out)
    assert len(rows) == 3
    assert all(r[1:4] == ["1/1", "Running", "0"] for r in rows)
    assert all(r[0].startswith("web-") for r in rows)


def test_pods_wide_adds_ip_and_node(web, kc):
    out = kc.ok(web, "kubectl get pods -o wide")
    assert kc.header(out)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    for row in kc.rows(out):
        assert row[5].startswith("10.244.") and row[6].startswith("node-")
        assert row[7:] == ["<none>", "<none>"]


def test_age_comes_from_the_simulated_clock(web, kc):
    """AGE is the simulated time since creationTimestamp, in kubectl's units."""
    from simulation import clock

    stamp = web.store.get("deployments", "default", "web")["metadata"]
    web.run(until=clock.parse(stamp["creationTimestamp"]) + 200)
    assert kc.rows(kc.ok(web, "kubectl get deploy"))[0][-1] == "3m20s"
    web.run(until=web.time + 3 * 3600)
    assert kc.rows(kc.ok(web, "kubectl get deploy"))[0][-1] == "3h3m"


def test_nodes_columns_and_wide(cluster, kc):
    out = kc.ok(cluster, "kubectl get nodes -o wide")
    assert kc.header(out) == [
        "NAME",
        "STATUS",
        "ROLES",
        "AGE",
        "VERSION",
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]
    first = kc.rows(out)[0]
    assert first[:3] == ["control-plane", "Ready", "control-plane"]
    assert first[5:7] == ["192.168.10.10", "<none>"]
    assert kc.rows(out)[1][2] == "<none>"


def test_services_show_node_ports_and_none(web, kc):
    out = kc.ok(web, "kubectl get svc")
    assert kc.header(out) == [
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
    ]
    rows = {r[0]: r for r in kc.rows(out)}
    assert rows["kubernetes"][1:5] == ["ClusterIP", "10.96.0.1", "<none>", "443/TCP"]
    node_port = web.store.get("services", "default", "web")["spec"]["ports"][0]
    assert rows["web"][4] == f"80:{node_port['nodePort']}/TCP"


def test_a_load_balancer_waits_as_pending_on_bare_metal(cluster, kc):
    kc.ok(cluster, "kubectl create deployment lb --image=nginx")
    kc.ok(cluster, "kubectl expose deployment lb --port=80 --type=LoadBalancer")
    row = kc.rows(kc.ok(cluster, "kubectl get svc lb"))[0]
    assert row[3] == "<pending>"


def test_endpoints_list_three_then_more(cluster, kc):
    """`ip:port,ip:port,ip:port + N more...` from the EndpointSlices."""
    kc.ok(cluster, "kubectl create deployment web --image=nginx --replicas=5")
    kc.ok(cluster, "kubectl expose deployment web --port=80")
    cluster.settle()
    out = kc.ok(cluster, "kubectl get ep web")
    assert kc.header(out) == ["NAME", "ENDPOINTS", "AGE"]
    cell = kc.rows(out)[0][1]
    assert cell.endswith(" + 2 more...")
    assert len(cell.split(" + ")[0].split(",")) == 3
    assert all(e.endswith(":80") for e in cell.split(" + ")[0].split(","))


def test_deployments_and_replicasets(web, kc):
    deploy = kc.ok(web, "kubectl get deploy")
    assert kc.header(deploy) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert kc.rows(deploy)[0][:4] == ["web", "3/3", "3", "3"]
    rs = kc.ok(web, "kubectl get rs")
    assert kc.header(rs) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert kc.rows(rs)[0][1:4] == ["3", "3", "3"]


def test_events_columns(web, kc):
    out = kc.ok(web, "kubectl get events")
    assert kc.header(out) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert any(r[2] == "ScalingReplicaSet" for r in kc.rows(out))
    assert any(r[3].startswith("pod/web-") for r in kc.rows(out))


def test_hpa_columns(web, kc):
    kc.ok(
        web,
        "kubectl apply -f - <<EOF\napiVersion: autoscaling/v2\n"
        "kind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
        "  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n  - type: Resource\n"
        "    resource: {name: cpu, target: {type: Utilization,"
        " averageUtilization: 50}}\nEOF",
    )
    out = kc.ok(web, "kubectl get hpa")
    assert kc.header(out) == [
        "NAME",
        "REFERENCE",
        "TARGETS",
        "MINPODS",
        "MAXPODS",
        "REPLICAS",
        "AGE",
    ]
    assert kc.rows(out)[0][1:5] == ["Deployment/web", "cpu: <unknown>/50%", "2", "6"]


def test_all_namespaces_adds_a_namespace_column(cluster, kc):
    out = kc.ok(cluster, "kubectl get pods -A")
    assert kc.header(out)[0] == "NAMESPACE"
    assert {r[0] for r in kc.rows(out)} == {"kube-system"}


def test_nothing_found_says_where(cluster, kc):
    assert kc.ok(cluster, "kubectl get pods") == (
        "No resources found in default namespace."
    )
    assert kc.ok(cluster, "kubectl get deploy -n kube-public") == (
        "No resources found in kube-public namespace."
    )


def test_label_selectors(web, kc):
    out = kc.ok(web, "kubectl get pods -n kube-system -l k8s-app=kube-dns -o name")
    assert all(n.startswith("pod/coredns-") for n in out.splitlines())
    assert kc.ok(web, "kubectl get pods -l app!=web") == (
        "No resources found in default namespace."
    )
    assert len(kc.ok(web, "kubectl get pods -l 'app in (web,db)'").splitlines()) == 4


def test_show_labels_adds_a_labels_column(web, kc):
    out = kc.ok(web, "kubectl get deploy --show-labels")
    assert kc.header(out)[-1] == "LABELS"
    assert kc.rows(out)[0][-1] == "app=web"


def test_several_types_print_one_table_each_with_kind_prefixes(web, kc):
    out = kc.ok(web, "kubectl get deploy,svc")
    blocks = out.split("\n\n")
    assert len(blocks) == 2
    assert kc.rows(blocks[0])[0][0] == "deployment.apps/web"
    assert {r[0] for r in kc.rows(blocks[1])} == {"service/kubernetes", "service/web"}


def test_output_name(web, kc):
    assert kc.ok(web, "kubectl get deploy,svc -o name").splitlines() == [
        "deployment.apps/web",
        "service/kubernetes",
        "service/web",
    ]


def test_output_yaml_of_one_object_is_the_object(web, kc):
    obj = yaml.safe_load(kc.ok(web, "kubectl get deploy web -o yaml"))
    assert obj["kind"] == "Deployment" and obj["metadata"]["name"] == "web"
    assert "creationRevision" not in obj["metadata"]


def test_output_json_of_a_list_is_a_list(web, kc):
    data = json.loads(kc.ok(web, "kubectl get pods -o json"))
    assert data["kind"] == "List" and len(data["items"]) == 3
    assert list(data) == sorted(data)


def test_yaml_quotes_like_go(web, kc):
    """Strings that look like booleans are double-quoted, as sigs.k8s.io/yaml does."""
    assert 'status: "True"' in kc.ok(web, "kubectl get pods -o yaml")


def test_type_slash_name_form(web, kc):
    assert kc.ok(web, "kubectl get deploy/web -o name") == "deployment.apps/web"


def test_field_selectors(web, kc):
    """`--field-selector` filters on fields, e.g. the node a pod runs on."""
    node = web.store.list("pods", "default")[0]["spec"]["nodeName"]
    out = kc.ok(
        web, f"kubectl get pods -A -o wide --field-selector spec.nodeName={node}"
    )
    assert {r[7] for r in kc.rows(out)} == {node}
    assert kc.ok(web, "kubectl get pods --field-selector status.phase!=Running") == (
        "No resources found in default namespace."
    )


def test_sort_by_a_field(cluster, kc):
    out = kc.ok(cluster, "kubectl get pods -A -o wide --sort-by=.status.podIP")
    ips = [r[6] for r in kc.rows(out)]
    assert ips == sorted(ips)


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.text(max_size=8), JSONISH, max_size=4))
def test_yaml_output_reads_back_as_the_same_data(data):
    """Whatever the strings, `-o yaml` parses back to exactly the object."""
    assert yaml.safe_load(yamlout.dump(data)) == data


def test_jsonpath_templates(web, kc):
    ip = web.store.get("services", "default", "web")["spec"]["clusterIP"]
    assert kc.ok(web, "kubectl get svc web -o jsonpath='{.spec.clusterIP}'") == ip
    names = kc.ok(web, "kubectl get pods -o jsonpath='{.items[*].metadata.name}'")
    assert len(names.split(" ")) == 3
    line = (
        'kubectl get nodes -o jsonpath=\'{range .items[*]}{.metadata.name}{"="}'
        '{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}\''
    )
    assert kc.ok(web, line).splitlines()[1] == "node-1=192.168.10.11"


def test_custom_columns(web, kc):
    out = kc.ok(
        web,
        "kubectl get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
    )
    assert kc.header(out) == ["NAME", "NODE"]
    assert all(r[1].startswith("node-") for r in kc.rows(out))


@settings(max_examples=500, deadline=None)
@given(
    template=st.lists(
        st.sampled_from(list('{}[]().@*?=!"\\ ') + ["range ", "end", ".items", "x"]),
        max_size=20,
    ).map("".join)
)
def test_any_jsonpath_template_is_output_or_a_usage_error(template):
    from simulation.errors import SimulationError
    from simulation.kubectl.printers import jsonpath

    try:
        jsonpath.render(template, {"items": [{"x": 1}]})
    except SimulationError:
        pass
