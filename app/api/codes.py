"""Every problem `code` facegate can answer with, and its HTTP status: the domain errors' and the HTTP layer's own.

One list, so the `Problem` schema's `code` is an enum that SDK generators turn into a type, and so the document
can say, per operation and status, which codes to expect.
"""

from __future__ import annotations

from enum import StrEnum

from app import errors

# The HTTP layer's refusals, made in app/api/problems.py, guards.py, browser.py and failsafe.py.
HTTP_LAYER = {
    "BAD_REQUEST": 400,
    "CROSS_ORIGIN_REFUSED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "REQUEST_TOO_LARGE": 413,
    "VALIDATION_ERROR": 422,
    "INTERNAL_ERROR": 500,
}


def _domain(base: type[errors.FacegateError]) -> dict[str, int]:
    found = {base.code: base.status}
    for sub in base.__subclasses__():
        found |= _domain(sub)
    return found


STATUS: dict[str, int] = dict(sorted((_domain(errors.FacegateError) | HTTP_LAYER).items()))
ProblemCode = StrEnum("ProblemCode", {code: code for code in STATUS})  # type: ignore[misc]
