"""`kubectl describe`, laid out as upstream's describers (staging/src/k8s.io/kubectl
/pkg/describe): `describe.py` is the command and the describers for pods, Services
and Deployments; `node.py`, `networkpolicy.py`, `hpa.py`, `ingress.py` and
`generic.py` (ReplicaSets, and the generic describer for every other kind)
describe the rest; `parts.py` holds the sections several kinds share (containers,
conditions, volumes, Events).
"""
