"""The OpenAPI 3.1 document as served: flask-smorest's, with every error answer described as
the RFC 9457 problem document it is, the bearer token scheme, and 304 on reads."""

import copy

from flask import url_for

PROBLEM = {"$ref": "#/components/responses/Problem"}
DESCRIPTION = (
    "Read events, series, partners, rooms and programmes as the site shows them to you; "
    "partner staff also create and propose drafts, answer invitations and record "
    "contributions. Without a token you are a visitor. With `Authorization: Bearer <token>` "
    "(make one on your account page) you see and may do what you see and do on the site. "
    "Errors are RFC 9457 problem documents (`application/problem+json`). Reads answer "
    "`If-None-Match` with 304 and carry `Access-Control-Allow-Origin: *`."
)


def document(api) -> dict:
    spec = copy.deepcopy(api.spec.to_dict())
    spec["info"]["description"] = DESCRIPTION
    spec["servers"] = [{"url": url_for("planning.index", _external=True).rstrip("/")}]
    components = spec.setdefault("components", {})
    components["responses"] = {"Problem": {
        "description": "An RFC 9457 problem document",
        "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}},
    }}
    for unused in ("Error", "PaginationMetadata"):  # flask-smorest's own, not used here
        components.setdefault("schemas", {}).pop(unused, None)
    components["securitySchemes"] = {"token": {
        "type": "http", "scheme": "bearer",
        "description": "a personal API token from your account page"}}
    paths = spec.get("paths", {})
    for own in ("openapi", "docs"):  # the document and its reader are not API operations
        paths.pop(url_for(f"api.{own}"), None)
    for path in paths.values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in [s for s, r in responses.items() if "$ref" in r]:
                del responses[status]
            responses["default"] = PROBLEM
            if method == "get":
                responses["304"] = {"description": "Not modified (If-None-Match)"}
                operation["security"] = [{}, {"token": []}]
            else:
                operation["security"] = [{"token": []}]
    return spec
