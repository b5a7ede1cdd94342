"""Django settings for KubeViz, read from the environment (see docs/deploy.md).

With nothing set, KubeViz runs on a laptop: a SQLite file, an in-memory channel layer,
DEBUG off, and a secret key generated into the git-ignored file `.secret_key`.
"""

from __future__ import annotations

import os
from pathlib import Path

from kubeviz import env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env.flag("DJANGO_DEBUG")
SECRET_KEY = env.secret_key(BASE_DIR / ".secret_key")

# The host names the site is reached by; with none configured, a laptop's own names.
# A server lists its own: the laptop names are not added to them.
LAPTOP_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.words("DJANGO_ALLOWED_HOSTS") or LAPTOP_HOSTS
CSRF_TRUSTED_ORIGINS = env.words("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Daphne first, so that `manage.py runserver` serves ASGI (daphne.E001).
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "kubeviz",
    "kubeviz.classroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kubeviz.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kubeviz.urls"
ASGI_APPLICATION = "kubeviz.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.database(
        os.environ.get("DATABASE_URL", "").strip(), BASE_DIR / "db.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A viewer's channel queue holds at most this many frames; a viewer that falls
# further behind misses frames and catches up by sequence number (docs/protocol.md).
CHANNEL_CAPACITY = env.integer("KUBEVIZ_CHANNEL_CAPACITY", 200)
CHANNEL_LAYERS = {
    "default": env.channel_layer(
        os.environ.get("REDIS_URL", "").strip(), CHANNEL_CAPACITY
    )
}

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [p for p in [BASE_DIR / "static"] if p.is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No hashed names: ES modules import each other by plain relative paths.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from static/ as well, so a server started without collectstatic
# (tests, `manage.py runserver`) still has every file.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.flag("DJANGO_HTTPS"):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/deploy.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.flag("DJANGO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.flag("DJANGO_HSTS_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env.flag("DJANGO_HSTS_PRELOAD")
    # Both bind every subdomain of the school's domain to HTTPS for a year: a choice
    # for whoever runs the domain (docs/deploy.md), not a default to nag about.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kubeviz": {"level": os.environ.get("KUBEVIZ_LOG_LEVEL", "INFO")},
    },
}

# KubeViz's own limits (docs/deploy.md).
KUBEVIZ = {
    # Deltas kept per session for reconnecting viewers; older viewers get a snapshot.
    "RING_SIZE": env.integer("KUBEVIZ_RING_SIZE", 512),
    # ... and at most this many KB of them in a learner's session or lesson: a tab
    # that missed more is sent a snapshot (kubeviz/live.py).
    "SESSION_RING_KB": env.integer("KUBEVIZ_SESSION_RING_KB", 64),
    # Seconds a session stays in memory after its last viewer leaves.
    "IDLE_SECONDS": env.integer("KUBEVIZ_IDLE_SECONDS", 120),
    # Seconds between saves of a session's position while it changes.
    "SAVE_DELAY": float(os.environ.get("KUBEVIZ_SAVE_DELAY", "1.0")),
    # Live sessions one process holds; idle ones are evicted first (registry.py).
    # A small session takes about 1 MB: 300 students on one process fit.
    "MAX_LIVE_SESSIONS": env.integer("KUBEVIZ_MAX_LIVE_SESSIONS", 1000),
    # Past this RSS, sessions without viewers leave memory at once and new ones are
    # refused (4503) while it stays over; 0 means no budget (registry.py).
    "MAX_MEMORY_MB": env.integer("KUBEVIZ_MAX_MEMORY_MB", 1024),
    # Messages one socket may send a second, and at once (kubeviz/limits.py).
    "MESSAGES_PER_SECOND": env.number("KUBEVIZ_MESSAGES_PER_SECOND", 20.0),
    "MESSAGE_BURST": env.number("KUBEVIZ_MESSAGE_BURST", 40.0),
    # KB one socket may have waiting to be sent before it is closed as a reader
    # that does not read (4408); all sockets together at most a quarter of
    # MAX_MEMORY_MB (kubeviz/outbound.py).
    "OUTBOUND_QUEUE_KB": env.integer("KUBEVIZ_OUTBOUND_QUEUE_KB", 4096),
    # After each step, prepare the next while the learner looks (kubeviz/live.py).
    "STEP_AHEAD": env.flag("KUBEVIZ_STEP_AHEAD", True),
}
