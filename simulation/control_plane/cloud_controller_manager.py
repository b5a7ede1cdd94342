"""cloud-controller-manager: a cloud load balancer per LoadBalancer Service."""

from __future__ import annotations

import ipaddress

from ..component import Component, Outcome
from ..objects import key_parts


class CloudControllerManager(Component):
    """Is responsible, on a cloud platform only, for LoadBalancers' external IPs."""

    name = "cloud-controller-manager"
    watches = ("services",)
    delay = 3.0  # provisioning a cloud load balancer takes a while

    def keys_for(self, write, memory):
        svc = write.object
        return (write.key,) if svc and svc["spec"].get("type") == "LoadBalancer" else ()

    def reconcile(self, ctx, key):
        if ctx.config.platform != "cloud":
            # bare metal: nobody fills in status.loadBalancer; EXTERNAL-IP <pending>
            return None
        ns, name = key_parts(key)
        svc = ctx.store.get("services", ns, name)
        if svc is None or svc["spec"].get("type") != "LoadBalancer":
            return None
        if (svc.get("status", {}).get("loadBalancer") or {}).get("ingress"):
            return None
        pool = ipaddress.ip_network(ctx.config.load_balancer_pool)
        used = {
            i.get("ip")
            for s in ctx.store.list("services")
            for i in (s.get("status", {}).get("loadBalancer") or {}).get("ingress")
            or []
        }
        ip = next(
            str(a) for a in pool.hosts() if str(a) not in used and str(a)[-2:] != ".1"
        )

        def change(obj):
            obj["status"] = {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}}

        ctx.api.patch(
            "services", ns, name, change, actor=self.name, subresource="status"
        )
        ctx.record_event(
            svc,
            "EnsuredLoadBalancer",
            "Ensured load balancer",
            source="service-controller",
        )
        ports = ", ".join(str(p.get("nodePort")) for p in svc["spec"]["ports"])
        return Outcome(
            "service.load_balancer",
            f"cloud-controller-manager created a cloud load balancer at {ip}"
            f" that forwards to every node's NodePort ({ports}); the Service's"
            " EXTERNAL-IP is now set.",
            concept="loadbalancer",
            objects=(f"services/{ns}/{name}",),
            details={"ip": ip},
        )
