"""The ASGI entry point: `daphne kubeviz.asgi:application`.

HTTP goes to Django; websockets go through the bound on what each may have waiting
to be sent (kubeviz/outbound.py) and the Origin check by scheme, host and port
(kubeviz/middleware.py) to the session consumer.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeviz.settings")
# Django must be set up before anything imports models, so this comes first.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kubeviz.middleware import SameOriginValidator  # noqa: E402
from kubeviz.outbound import OutboundLimit  # noqa: E402
from kubeviz.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OutboundLimit(
            SameOriginValidator(URLRouter(websocket_urlpatterns))
        ),
    }
)
