"""kube-apiserver: the only writer to etcd; validates, defaults, admits, records."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable

from . import admission, validation
from .clock import iso
from .errors import (
    AlreadyExists,
    Invalid,
    LimitExceeded,
    NotFound,
    SimulationError,
)
from .events import APICall, Write
from .names import SAFE_ALPHABET
from .objects import labels_of, matches
from .resources import BY_PLURAL, Resource, for_object
from .store import Store


class APIServer:
    """Is responsible for every read and write of cluster state, as kube-apiserver."""

    def __init__(self, store: Store, config, rng, clock: Callable[[], float]) -> None:
        self.store, self.config, self.random, self.now = store, config, rng, clock
        self.calls: list[APICall] = []
        self.watchers: list[Callable[[Write], None]] = []
        self._service_net = ipaddress.ip_network(config.service_cidr)

    # reads -------------------------------------------------------------------
    def get(self, plural: str, namespace: str | None, name: str) -> dict:
        obj = self.store.get(plural, namespace, name)
        if obj is None:
            raise NotFound(BY_PLURAL[plural].qualified, name)
        return obj

    def list(
        self, plural: str, namespace: str | None = None, selector: dict | None = None
    ) -> list[dict]:
        items = self.store.list(plural, namespace)
        if selector:
            items = [o for o in items if matches(selector, labels_of(o))]
        return items

    # writes ------------------------------------------------------------------
    def create(self, obj: dict, actor: str, verb: str = "POST") -> dict:
        resource = self._resource(obj)
        obj = clone(obj)
        if "spec" in obj and obj["spec"] is None:  # JSON null: as if absent
            del obj["spec"]
        meta = obj.setdefault("metadata", {})
        if resource.namespaced:
            meta.setdefault("namespace", "default")
            self._require_namespace(meta["namespace"])
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self._generate_name(resource, meta)
        obj.setdefault("apiVersion", resource.api_version)
        self._record(actor, verb, resource.path(meta.get("namespace")))
        validation.check_object(resource, obj)
        if self.store.get(resource.plural, meta.get("namespace"), meta["name"]):
            raise AlreadyExists(resource.qualified, meta["name"])
        admission.apply_defaults(resource.kind, obj)
        if resource.kind == "Pod":
            limit = self.config.limits.pods
            if self.store.count("pods") >= limit:
                raise LimitExceeded(
                    f'pods "{meta["name"] or meta.get("generateName", "")}" is'
                    f" forbidden: this session's limit of {limit} pods is reached"
                )
            sas = {
                sa["metadata"]["name"]: sa
                for sa in self.store.list("serviceaccounts", meta["namespace"])
            }
            admission.admit_pod(obj, sas, self.random)
            obj.setdefault("status", {"phase": "Pending", "qosClass": _qos(obj)})
        elif resource.kind == "Service":
            self._allocate_service(obj)
        meta["uid"] = str(uuid.UUID(int=self.random.getrandbits(128), version=4))
        meta["creationTimestamp"] = iso(self.now())
        if "spec" in obj:
            meta.setdefault("generation", 1)
        return self._put(resource, obj).object

    def update(
        self, obj: dict, actor: str, subresource: str | None = None, verb: str = "PUT"
    ) -> dict:
        return self._update(clone(obj), actor, subresource, verb)

    def _update(self, new: dict, actor: str, subresource: str | None, verb: str):
        """Write `new`, which the caller hands over (it is not copied again)."""
        resource = self._resource(new)
        obj = new
        meta = obj["metadata"]
        old = self.store.get(resource.plural, meta.get("namespace"), meta["name"])
        path = resource.path(meta.get("namespace"), meta["name"])
        self._record(actor, verb, path + (f"/{subresource}" if subresource else ""))
        if old is None:
            raise NotFound(resource.qualified, meta["name"])
        if subresource is None:
            # status is a subresource: a write to the object itself keeps the
            # stored status, whatever the request said (each strategy's
            # PrepareForUpdate copies the old status over the new)
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
            if resource.kind == "Service":
                drop_type_dependent_fields(new, old)
                _health_port_kept(new, old)
            validation.check_object(resource, new)
            admission.apply_defaults(resource.kind, new)
            if resource.kind == "Service" and new["spec"].get("type") != "ExternalName":
                self._allocate_node_ports(new, old)
            if new.get("spec") != old.get("spec"):
                new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
        elif subresource == "status" and "spec" in old:
            new["spec"] = old["spec"]  # and the status subresource ignores the spec
        elif subresource == "scale" and (new.get("spec") or {}).get("replicas") != (
            old.get("spec") or {}
        ).get("replicas"):
            # the scale subresource changes the spec too (kubectl scale, the HPA)
            new["metadata"]["generation"] = old["metadata"].get("generation", 1) + 1
        return self._put(resource, new).object

    def patch(
        self,
        plural: str,
        namespace: str | None,
        name: str,
        fn: Callable[[dict], None],
        actor: str,
        subresource: str | None = None,
    ) -> dict:
        """Read, change a copy with `fn`, write back (a PATCH request).

        With subresource="status" `fn` may change only metadata and status: the
        spec is shared with the stored object, as the status subresource ignores it.
        """
        current = self.store.get(plural, namespace, name)
        if current is None:
            resource = BY_PLURAL[plural]
            self._record(actor, "PATCH", resource.path(namespace, name))
            raise NotFound(BY_PLURAL[plural].qualified, name)
        if subresource == "status":
            # the status subresource ignores spec, so the spec is shared, not copied
            changed = dict(current, metadata=clone(current["metadata"]))
            changed["status"] = clone(current.get("status") or {})
        else:
            changed = clone(current)
        fn(changed)
        return self._update(changed, actor, subresource, verb="PATCH")

    def bind(self, pod: dict, node: str, actor: str) -> dict:
        """POST .../pods/NAME/binding: the scheduler's only write."""
        meta = pod["metadata"]
        self._record(
            actor,
            "POST",
            BY_PLURAL["pods"].path(meta["namespace"], meta["name"]) + "/binding",
        )
        new = clone(self.get("pods", meta["namespace"], meta["name"]))
        new["spec"]["nodeName"] = node
        status = new.setdefault("status", {})
        status.setdefault("conditions", []).append(
            {
                "type": "PodScheduled",
                "status": "True",
                "lastTransitionTime": iso(self.now()),
            }
        )
        return self._put(BY_PLURAL["pods"], new).object

    def token_request(self, namespace: str, service_account: str, actor: str) -> None:
        """POST .../serviceaccounts/NAME/token: a short-lived token (TokenRequest)."""
        self._record(
            actor,
            "POST",
            f"/api/v1/namespaces/{namespace}/serviceaccounts/{service_account}/token",
        )
        if self.store.get("serviceaccounts", namespace, service_account) is None:
            raise NotFound("serviceaccounts", service_account)

    def delete(
        self,
        plural: str,
        namespace: str | None,
        name: str,
        actor: str,
        grace: int | None = None,
    ) -> dict | None:
        """DELETE; a pod on a live node only gets a deletionTimestamp (Terminating)."""
        resource = BY_PLURAL[plural]
        self._record(actor, "DELETE", resource.path(namespace, name))
        current = self.store.get(plural, namespace, name)
        if current is None:
            raise NotFound(BY_PLURAL[plural].qualified, name)
        if plural == "pods" and current["spec"].get("nodeName") and grace != 0:
            if current["metadata"].get("deletionTimestamp"):
                return current
            new = clone(current)
            seconds = current["spec"].get("terminationGracePeriodSeconds", 30)
            new["metadata"]["deletionTimestamp"] = iso(self.now() + seconds)
            new["metadata"]["deletionGracePeriodSeconds"] = seconds
            return self._put(resource, new).object
        if plural == "namespaces":
            for other in BY_PLURAL.values():
                if other.namespaced:
                    for o in self.store.list(other.plural, name):
                        self._remove(other, o)
        return self._remove(resource, current)

    def expire_events(self, ttl: float) -> None:
        """etcd ends the lease each Event is stored with `ttl` after its last
        write (kube-apiserver --event-ttl): the Event is deleted without any API
        request, and watchers see it go."""
        events = BY_PLURAL["events"]
        for key in self.store.events_written_before(self.now() - ttl):
            self._remove(events, self.store.get_key("events", key))

    # internals ---------------------------------------------------------------
    def _remove(self, resource: Resource, obj: dict) -> None:
        meta = obj["metadata"]
        write = self.store.remove(resource.plural, meta.get("namespace"), meta["name"])
        self._notify(write)

    def _put(self, resource: Resource, obj: dict) -> Write:
        write = self.store.put(resource.plural, obj)
        self._notify(write)
        return write

    def _notify(self, write: Write) -> None:
        for watcher in self.watchers:
            watcher(write)

    def _record(self, actor: str, verb: str, path: str) -> None:
        self.calls.append(APICall(actor, verb, path))

    def _resource(self, obj: dict) -> Resource:
        if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
            raise SimulationError("error: Object 'Kind' is missing in the object")
        resource = for_object(obj)
        if resource is None:
            raise SimulationError(
                f'error: resource mapping not found for kind "{obj["kind"]}" in version'
                f' "{obj.get("apiVersion", "")}": ensure CRDs are installed first'
            )
        return resource

    def _require_namespace(self, namespace: str) -> None:
        if self.store.get("namespaces", None, namespace) is None:
            raise NotFound("namespaces", namespace)

    def _generate_name(self, resource: Resource, meta: dict) -> str:
        while True:
            suffix = "".join(self.random.choice(SAFE_ALPHABET) for _ in range(5))
            name = meta["generateName"] + suffix
            if not self.store.get(resource.plural, meta.get("namespace"), name):
                return name

    def _allocate_service(self, svc: dict) -> None:
        """The ClusterIP and port allocators (registry/core/service/storage
        alloc.go): a requested address or port must be free and in range."""
        spec = svc["spec"]
        if spec["type"] == "ExternalName":
            return
        used = {s["spec"].get("clusterIP") for s in self.store.list("services")}
        if "clusterIP" not in spec:
            net = self._service_net
            while True:
                ip = str(
                    net.network_address
                    + self.random.randrange(11, net.num_addresses - 1)
                )
                if ip not in used:
                    spec["clusterIP"] = ip
                    break
        elif spec["clusterIP"] != "None":
            ip = spec["clusterIP"]
            why = None
            if not self._in_service_range(ip):
                why = (
                    f"the provided IP ({ip}) is not in the valid range. The range of"
                    f" valid IPs is {self._service_net}"
                )
            elif ip in used:
                why = "provided IP is already allocated"
            if why:
                raise Invalid(
                    "Service",
                    svc["metadata"]["name"],
                    [
                        f'spec.clusterIPs: Invalid value: ["{ip}"]: failed to'
                        f" allocate IP {ip}: {why}"
                    ],
                )
        spec["clusterIPs"] = [spec["clusterIP"]]
        self._allocate_node_ports(svc)
        svc.setdefault("status", {"loadBalancer": {}})

    def _in_service_range(self, ip: str) -> bool:
        # the bitmap allocator's range leaves out the network and broadcast address
        net = self._service_net
        addr = ipaddress.ip_address(ip)
        return addr in net and addr not in (net.network_address, net.broadcast_address)

    def _allocate_node_ports(self, svc: dict, old: dict | None = None) -> None:
        """nodePorts for a NodePort or LoadBalancer Service, and a
        healthCheckNodePort for a LoadBalancer with externalTrafficPolicy Local
        (alloc.go initNodePorts, allocHealthCheckNodePort); on an update the
        ports this Service holds already stay its own."""
        spec, name = svc["spec"], svc["metadata"]["name"]
        low, high = self.config.node_port_range
        held = set(_node_ports(old)) if old else set()
        taken = {
            port
            for s in self.store.list("services")
            for port in _node_ports(s)
            if old is None or s["metadata"]["uid"] != old["metadata"]["uid"]
        }
        ours: dict[int, str] = {}  # one port may serve TCP and UDP alike

        def draw() -> int:
            while True:
                port = self.random.randint(low, high)
                if port not in taken and port not in ours:
                    return port

        if spec["type"] in ("NodePort", "LoadBalancer"):
            for i, p in enumerate(spec["ports"]):
                if "nodePort" not in p:
                    p["nodePort"] = draw()
                elif p["nodePort"] not in ours and (
                    p["nodePort"] not in held or not low <= p["nodePort"] <= high
                ):
                    why = _port_refusal(p["nodePort"], taken, low, high)
                    if why:
                        raise Invalid(
                            "Service",
                            name,
                            [
                                f"spec.ports[{i}].nodePort: Invalid value:"
                                f" {p['nodePort']}: {why}"
                            ],
                        )
                ours[p["nodePort"]] = p.get("protocol", "TCP")
        if not validation.needs_health_check(spec):
            return
        health = spec.get("healthCheckNodePort")
        if not health:
            spec["healthCheckNodePort"] = draw()
        elif health not in held:
            why = _port_refusal(health, taken | set(ours), low, high)
            if why:
                raise SimulationError(
                    "Internal error occurred: failed to allocate requested"
                    f" HealthCheck NodePort {health}: {why}"
                )


def _node_ports(svc: dict) -> list[int]:
    """The ports a Service holds in the NodePort allocator."""
    spec = svc.get("spec") or {}
    ports = [p["nodePort"] for p in spec.get("ports") or [] if p.get("nodePort")]
    if spec.get("healthCheckNodePort"):
        ports.append(spec["healthCheckNodePort"])
    return ports


def _port_refusal(port: int, taken: set, low: int, high: int) -> str | None:
    """portallocator's ErrNotInRange and ErrAllocated."""
    if not low <= port <= high:
        return (
            "provided port is not in the valid range. The range of valid ports is"
            f" {low}-{high}"
        )
    if port in taken:
        return "provided port is already allocated"
    return None


def clone(obj):
    """A deep copy of JSON-shaped data (dicts, lists, scalars), fast."""
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone(v) for v in obj]
    return obj


def drop_type_dependent_fields(new: dict, old: dict) -> None:
    """The service strategy's dropTypeDependentFields: on an update, fields the
    new type does not use are cleared when the request left them as they were
    (the client did not ask for them, the old type's defaults put them there)."""
    spec, before = new.get("spec"), old.get("spec") or {}
    if not isinstance(spec, dict):
        return
    if spec.get("type", "ClusterIP") in ("ClusterIP", "ExternalName"):
        old_ports = [p.get("nodePort") for p in before.get("ports") or []]
        for i, p in enumerate(spec.get("ports") or []):
            if isinstance(p, dict) and i < len(old_ports):
                if p.get("nodePort") == old_ports[i]:
                    p.pop("nodePort", None)
    if not validation.externally_accessible(spec) and spec.get(
        "externalTrafficPolicy"
    ) == before.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    if not validation.needs_health_check(spec) and spec.get(
        "healthCheckNodePort"
    ) == before.get("healthCheckNodePort"):
        spec.pop("healthCheckNodePort", None)


def _health_port_kept(new: dict, old: dict) -> None:
    """validateServiceExternalTrafficFieldsUpdate: while a Service needs a health
    check, its healthCheckNodePort may not change (leaving it out keeps it)."""
    spec, before = new.get("spec"), old.get("spec") or {}
    if not isinstance(spec, dict) or not validation.needs_health_check(before):
        return
    if not validation.needs_health_check(spec):
        return
    port = spec.setdefault("healthCheckNodePort", before.get("healthCheckNodePort"))
    if port != before.get("healthCheckNodePort"):
        raise Invalid(
            "Service",
            new["metadata"]["name"],
            [f"spec.healthCheckNodePort: Invalid value: {port}: field is immutable"],
        )


def _qos(pod: dict) -> str:
    containers = pod["spec"]["containers"]
    res = [c.get("resources") or {} for c in containers]
    if all(
        r.get("limits")
        and r.get("requests", r.get("limits")) == r.get("limits")
        and {"cpu", "memory"} <= set(r["limits"])
        for r in res
    ):
        return "Guaranteed"
    if any(r.get("requests") or r.get("limits") for r in res):
        return "Burstable"
    return "BestEffort"
