"""Checks for single fields (names, labels, ports, quantities, types), as the API
server words them, shared by the per-kind checks."""

from __future__ import annotations

import math
import re

from ..errors import SimulationError
from ..quantity import parse

_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
# resource.Quantity's grammar: a decimal number and an optional suffix
_QUANTITY = re.compile(
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
)

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
    " '-' or '.', and must start and end with an alphanumeric character (e.g."
    " 'example.com', regex used for validation is"
    " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
    " '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or"
    " '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start"
    " with an alphabetic character, and end with an alphanumeric character (e.g."
    " 'my-name',  or 'abc-123', regex used for validation is"
    " '[a-z]([-a-z0-9]*[a-z0-9])?')"
)


def quote(value: object) -> str:
    text = str(value)
    return '"' + (text[:80] + "..." if len(text) > 80 else text) + '"'


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def wrong_type(field: str, value: object, what: str) -> list[str]:
    """The error for a field of the wrong JSON type (an object, a list, …)."""
    return [f"{field}: Invalid value: {quote(value)}: must be {what}"]


def mapping(field: str, value: object) -> list[str]:
    """Errors unless `value` is absent (None) or an object."""
    if value is None or isinstance(value, dict):
        return []
    return wrong_type(field, value, "an object")


def sequence(field: str, value: object) -> list[str]:
    """Errors unless `value` is absent (None) or a list."""
    if value is None or isinstance(value, list):
        return []
    return wrong_type(field, value, "a list")


def string(field: str, value: object) -> list[str]:
    if value is None or isinstance(value, str):
        return []
    return wrong_type(field, value, "a string")


def boolean(field: str, value: object) -> list[str]:
    if value is None or isinstance(value, bool):
        return []
    return wrong_type(field, value, "a boolean")


def whole(field: str, value: object, low: int | None = None) -> list[str]:
    """Errors unless `value` is absent or a whole number of at least `low`."""
    if value is None:
        return []
    if not is_int(value):
        return wrong_type(field, value, "an integer")
    if low is not None and value < low:
        return [
            f"{field}: Invalid value: {quote(value)}: must be greater than or equal"
            f" to {low}"
        ]
    return []


def one_of(field: str, value: object, allowed: tuple[str, ...]) -> list[str]:
    if value is None or value in allowed:
        return []
    return [
        f"{field}: Unsupported value: {quote(value)}: supported values: "
        + ", ".join(f'"{a}"' for a in sorted(allowed))
    ]


def check_name(field: str, value: object, style: str = "subdomain") -> list[str]:
    """Errors for a name field in the style Kubernetes applies to that kind."""
    if not isinstance(value, str) or not value:
        return [f"{field}: Required value: name or generateName is required"]
    rule, msg, limit = {
        "subdomain": (_SUBDOMAIN, SUBDOMAIN_MSG, 253),
        "label": (_LABEL, LABEL_MSG, 63),
        "dns1035": (_DNS1035, DNS1035_MSG, 63),
    }[style]
    errors = []
    if len(value) > limit:
        errors.append(
            f"{field}: Invalid value: {quote(value)}: must be no more than {limit}"
            " characters"
        )
    if not rule.match(value):
        errors.append(f"{field}: Invalid value: {quote(value)}: {msg}")
    return errors


def check_labels(field: str, labels: object) -> list[str]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [f"{field}: Invalid value: must be a map of strings"]
    errors = []
    for key, value in labels.items():
        name = str(key).rpartition("/")[2]
        if not isinstance(key, str) or not _QUALIFIED.match(name) or len(name) > 63:
            errors.append(
                f"{field}: Invalid value: {quote(key)}: name part must"
                " consist of alphanumeric characters, '-', '_' or '.'"
            )
        if (
            not isinstance(value, str)
            or len(value) > 63
            or not _LABEL_VALUE.match(value)
        ):
            errors.append(
                f"{field}: Invalid value: {quote(value)}: a valid label must"
                " be an empty string or consist of alphanumeric characters,"
                " '-', '_' or '.'"
            )
    return errors


def check_annotations(field: str, annotations: object) -> list[str]:
    """Annotations are a map of strings to strings (any text)."""
    if annotations is None:
        return []
    if not isinstance(annotations, dict):
        return [f"{field}: Invalid value: must be a map of strings"]
    return [
        f"{field}[{key}]: Invalid value: {quote(value)}: must be a string"
        for key, value in annotations.items()
        if not isinstance(key, str) or not isinstance(value, str)
    ]


def port(field: str, value: object, allow_name: bool = False) -> list[str]:
    if allow_name and isinstance(value, str):
        return (
            check_name(field, value, "label")
            if len(value) <= 15
            else [
                f"{field}: Invalid value: {quote(value)}: must be no more than 15"
                " characters"
            ]
        )
    if not is_int(value) or not 1 <= value <= 65535:
        return [
            f"{field}: Invalid value: {quote(value)}: must be between 1 and 65535,"
            " inclusive"
        ]
    return []


def quantity(field: str, value: object) -> tuple[list[str], float]:
    """(errors, value in base units) for a resource quantity such as "250m"."""
    bad = [f"{field}: Invalid value: {quote(value)}: must be a valid quantity"]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return bad, 0.0
    if isinstance(value, str) and not _QUANTITY.match(value.strip()):
        return bad, 0.0
    try:
        amount = parse(value)
    except SimulationError:
        return bad, 0.0
    if math.isnan(amount) or math.isinf(amount):
        return bad, 0.0
    if amount < 0:
        return [
            f"{field}: Invalid value: {quote(value)}: must be greater than or equal"
            " to 0"
        ], 0.0
    return [], amount
