"""`kubectl VERB --help`: each command's usage text."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

USAGE = {
    "get": "kubectl get TYPE[,TYPE...] [NAME] [-o wide|yaml|json|name] [-n NS | -A]"
    " [-l SELECTOR] [--show-labels]",
    "describe": "kubectl describe (pod|node|service|deployment) NAME",
    "apply": "kubectl apply -f - <<EOF … EOF   (or -f FILE from the CLI)",
    "create": "kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=P]",
    "expose": "kubectl expose deployment NAME --port=P [--target-port=T]"
    " [--type=ClusterIP|NodePort|LoadBalancer] [--name=N]",
    "scale": "kubectl scale deployment/NAME --replicas=N",
    "delete": "kubectl delete TYPE NAME | TYPE/NAME | TYPE -l SELECTOR | -f -",
    "drain": "kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data]"
    " [--force]",
    "logs": "kubectl logs POD [-c CONTAINER]",
    "rollout": "kubectl rollout status|restart deployment/NAME",
    "label": "kubectl label TYPE NAME KEY=VALUE... [KEY-] [--overwrite]",
    "annotate": "kubectl annotate TYPE NAME KEY=VALUE... [KEY-] [--overwrite]",
    "patch": "kubectl patch TYPE NAME -p '{\"spec\": {...}}' [--subresource=status]",
    "exec": "kubectl exec POD [-c CONTAINER] -- curl URL | wget -qO- URL"
    " | nslookup NAME | ping IP",
    "set": "kubectl set image deployment/NAME CONTAINER=IMAGE",
    "run": "kubectl run NAME --image=IMAGE [--port=P] [--labels=k=v] [-- ARGS...]",
}


def usage(verb: str) -> str:
    if verb in USAGE:
        return "Usage:\n  " + USAGE[verb]
    return "Commands:\n" + "\n".join(f"  {v}" for v in USAGE.values())
