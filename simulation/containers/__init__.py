"""The programs inside the model's containers: what `kubectl exec` runs.

`tools.py` is nslookup, ping, hostname and `cat /etc/resolv.conf`; `http.py` is curl
and wget; `bodies.py` is what the server at the end of a delivered trace answers.
Each gets a network adapter (kubectl/exec.py's, over `NetworkModel`) and prints
what the real tool prints; nothing is executed.
"""
