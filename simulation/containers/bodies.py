"""HTTP answers for a delivered trace: what the server that got the request sends.

The server is found from the trace's last hop (`pod/NS/NAME/c/CONTAINER`) and its
image: nginx's welcome page, the guestbook's page, an Ingress controller's 404/503,
the API server's 403, an empty reply from Redis. All of it is simulated.
"""

from __future__ import annotations

from datetime import timedelta

from .. import clock

REASONS = {
    200: "OK",
    403: "Forbidden",
    404: "Not Found",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
}

NGINX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

GUESTBOOK = """<html ng-app="redis">
  <head>
    <title>Guestbook</title>
    <link rel="stylesheet" href="bootstrap.min.css">
    <script src="angular.min.js"></script>
    <script src="controllers.js"></script>
  </head>
  <body ng-controller="RedisCtrl">
    <div style="width: 50%; margin-left: 20px">
      <h2>Guestbook</h2>
    </div>
  </body>
</html>
"""

EXAMPLE = """<!doctype html>
<html>
<head>
    <title>Example Domain</title>
</head>
<body>
<div>
    <h1>Example Domain</h1>
    <p>This domain is for use in illustrative examples in documents.</p>
</div>
</body>
</html>
"""


def _error_page(status: int) -> str:
    title = f"{status} {REASONS.get(status, '')}"
    return (
        f"<html>\n<head><title>{title}</title></head>\n<body>\n<center><h1>{title}"
        "</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )


def _content_type(body: str) -> str:
    if body.startswith("{"):
        return "application/json"
    if body.lstrip().startswith("<"):
        return "text/html"
    return "text/plain; charset=utf-8"


def _server(net, trace: dict) -> tuple[str, str, list[str]]:
    """(image, pod name, args) of the container the request reached."""
    hops = trace.get("hops") or []
    at = hops[-1].get("at", "") if hops else ""
    parts = at.split("/")
    if len(parts) >= 5 and parts[0] == "pod" and parts[3] == "c":
        pod = net.cluster.store.get("pods", parts[1], parts[2])
        if pod:
            for c in pod["spec"]["containers"]:
                if c["name"] == parts[4]:
                    return c.get("image", ""), parts[2], list(c.get("args") or [])
    return "", "", []


def response(net, trace: dict, url: str) -> tuple[int, list[str], str] | None:
    """(status, header lines, body) or None when the server closes without a reply."""
    when = clock.EPOCH + timedelta(seconds=int(net.cluster.time))
    date = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    http = trace.get("http") or {}
    image, pod, args = _server(net, trace)
    server = "nginx/1.27.3"
    if http.get("status") in (404, 502, 503):
        status, body = http["status"], _error_page(http["status"])
    elif "redis" in image:
        return None
    elif "nginx" in image.rsplit("/", 1)[-1]:
        status, body = 200, NGINX
        tag = image.rpartition(":")[2] if ":" in image else ""
        if tag.count(".") == 2 and tag.replace(".", "").isdigit():
            server = f"nginx/{tag}"
    elif "gb-frontend" in image or "frontend" in image:
        status, body, server = 200, GUESTBOOK, "Apache/2.4.38 (Debian)"
    elif "kube-apiserver" in image or ":6443" in (trace.get("hops") or [{}])[-1].get(
        "dst", ""
    ):
        status, server = 403, ""
        body = (
            '{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n'
            '  "status": "Failure",\n  "message": "forbidden: User'
            ' \\"system:anonymous\\" cannot get path \\"/\\"",\n  "reason":'
            ' "Forbidden",\n  "details": {},\n  "code": 403\n}\n'
        )
    elif "http-echo" in image:
        text = next((a.split("=", 1)[1] for a in args if a.startswith("-text=")), "")
        status, body, server = 200, text + "\n", ""
    elif "agnhost" in image or "whoami" in image:
        status, server = 200, ""
        body = f"Hostname: {pod}\nIP: {str(trace['hops'][-1].get('dst', ''))}\n"
    elif not image:
        status, body, server = 200, EXAMPLE, "ECAcc (example)"
    else:
        status, body, server = 200, f"Hello from {pod}\n", ""
    if http and status == 200:
        server = "nginx"  # the Ingress controller answers, whatever is behind it
    headers = [f"HTTP/1.1 {status} {REASONS.get(status, '')}"]
    if server:
        headers.append(f"Server: {server}")
    headers += [
        f"Date: {date}",
        f"Content-Type: {_content_type(body)}",
        f"Content-Length: {len(body.encode())}",
        "Connection: keep-alive",
    ]
    return status, headers, body
