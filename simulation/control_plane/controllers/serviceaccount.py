"""The ServiceAccount controller gives every namespace its `default` ServiceAccount."""

from __future__ import annotations

from ...component import Component, Outcome
from ...objects import key_parts


class ServiceAccountController(Component):
    """Is responsible for each namespace's `default` ServiceAccount and CA bundle."""

    name = "serviceaccount-controller"
    watches = ("namespaces",)

    def reconcile(self, ctx, key):
        _, ns = key_parts(key)
        if ctx.store.get("namespaces", None, ns) is None:
            return None
        made = []
        if ctx.store.get("serviceaccounts", ns, "default") is None:
            ctx.api.create(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": "default", "namespace": ns},
                },
                actor=self.name,
            )
            made.append("ServiceAccount default")
        if ctx.store.get("configmaps", ns, "kube-root-ca.crt") is None:
            ctx.api.create(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "kube-root-ca.crt", "namespace": ns},
                    "data": {
                        "ca.crt": "-----BEGIN CERTIFICATE-----\n(cluster CA)"
                        "\n-----END CERTIFICATE-----\n"
                    },
                },
                actor="root-ca-cert-publisher",
            )
            made.append("ConfigMap kube-root-ca.crt")
        if not made:
            return None
        return Outcome(
            "serviceaccount.created",
            f"Namespace {ns} got its {' and '.join(made)}: pods that name no"
            " ServiceAccount run as `default`, with a projected token.",
            concept="serviceaccounts",
            objects=(f"namespaces/{ns}",),
        )
