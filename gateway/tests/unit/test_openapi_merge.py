from __future__ import annotations

import copy
from typing import Any

import pytest
from gateway.openapi_merge import ServiceSpec, merge_openapi, operations_by_tag

pytestmark = pytest.mark.unit

VALIDATION = {
    "HTTPValidationError": {
        "type": "object",
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
        },
    },
    "ValidationError": {"type": "object", "properties": {"msg": {"type": "string"}}},
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def auth_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "InfoCenter identity", "description": "Organisations.", "version": "1"},
        "paths": {
            "/api/v1/auth/organisations": {
                "post": {
                    "tags": ["organisations"],
                    "summary": "Register an organisation",
                    "operationId": "post_organisation",
                    "requestBody": json_response(ref("OrganisationIn")),
                    "responses": {
                        "201": json_response(ref("Organisation")),
                        "422": json_response(ref("HTTPValidationError")),
                    },
                }
            },
            "/health/ready": {"get": {"summary": "Ready"}},
            "/api/v1/cases/stolen": {"get": {"summary": "Not auth's to document"}},
        },
        "components": {
            "schemas": {
                "OrganisationIn": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Organisation": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "kind": ref("Kind")},
                },
                "Kind": {"type": "string", "enum": ["creditor", "agency"]},
                **copy.deepcopy(VALIDATION),
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def cases_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "InfoCenter cases", "version": "1"},
        "paths": {
            "/api/v1/cases/creditors/{organisation_id}": {
                "parameters": [{"name": "organisation_id", "in": "path", "required": True}],
                "get": {
                    "tags": ["creditors"],
                    "summary": "One creditor",
                    "operationId": "post_organisation",
                    "responses": {
                        "200": json_response(ref("Organisation")),
                        "422": json_response(ref("HTTPValidationError")),
                    },
                    "security": [{"bearer": []}],
                },
            },
            "/api/v1/cases/cases": {
                "post": {
                    "summary": "Register a case",
                    "requestBody": json_response(
                        {
                            "oneOf": [ref("Kind"), ref("Organisation")],
                            "discriminator": {
                                "propertyName": "kind",
                                "mapping": {
                                    "kind": "#/components/schemas/Kind",
                                    "org": "#/components/schemas/Organisation",
                                },
                            },
                        }
                    ),
                    "responses": {"202": {"description": "Accepted"}},
                }
            },
        },
        "components": {
            "schemas": {
                # Same name as auth's, different shape: a real collision.
                "Organisation": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "kid": {"type": "string"}},
                },
                # Same name, fewer values: another collision.
                "Kind": {"type": "string", "enum": ["creditor"]},
                **copy.deepcopy(VALIDATION),
            },
            "securitySchemes": {"bearer": {"type": "apiKey", "in": "header", "name": "X"}},
        },
    }


def merged(**kwargs: Any) -> dict[str, Any]:
    return merge_openapi(
        [
            ServiceSpec("auth", "/api/v1/auth", auth_spec()),
            ServiceSpec("cases", "/api/v1/cases", cases_spec()),
        ],
        **kwargs,
    )


def test_the_merged_document_is_openapi_3_1_with_one_tag_per_service() -> None:
    doc = merged(unavailable=["ledger"])

    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] == "InfoCenter API"
    assert doc["info"]["x-unavailable"] == ["ledger"]
    assert doc["tags"] == [
        {"name": "auth", "description": "InfoCenter identity — Organisations."},
        {"name": "cases", "description": "InfoCenter cases"},
    ]


def test_only_api_v1_paths_under_the_services_own_prefix_are_kept() -> None:
    paths = merged()["paths"]

    assert list(paths) == [
        "/api/v1/auth/organisations",
        "/api/v1/cases/cases",
        "/api/v1/cases/creditors/{organisation_id}",
    ]


def test_colliding_schemas_get_a_service_prefix_and_refs_follow() -> None:
    doc = merged()
    schemas = doc["components"]["schemas"]
    paths = doc["paths"]

    assert "Organisation" not in schemas
    assert schemas["AuthOrganisation"]["properties"]["kind"] == ref("AuthKind")
    assert "kid" in schemas["CasesOrganisation"]["properties"]
    assert paths["/api/v1/auth/organisations"]["post"]["responses"]["201"] == json_response(
        ref("AuthOrganisation")
    )
    creditor = paths["/api/v1/cases/creditors/{organisation_id}"]["get"]
    assert creditor["responses"]["200"] == json_response(ref("CasesOrganisation"))


def test_identical_schemas_are_shared_and_keep_their_names() -> None:
    schemas = merged()["components"]["schemas"]

    assert schemas["HTTPValidationError"] == VALIDATION["HTTPValidationError"]
    assert schemas["ValidationError"] == VALIDATION["ValidationError"]
    assert not any(name.endswith("ValidationError") and name[0] in "AC" for name in schemas)
    assert schemas["OrganisationIn"]["properties"]["name"] == {"type": "string"}


def test_a_schema_that_refers_to_a_renamed_one_is_renamed_too() -> None:
    auth, cases = auth_spec(), cases_spec()
    # Same text in both services, but each refers to its own, different, Organisation.
    envelope = {"type": "object", "properties": {"data": ref("Organisation")}}
    auth["components"]["schemas"]["Envelope"] = copy.deepcopy(envelope)
    cases["components"]["schemas"]["Envelope"] = copy.deepcopy(envelope)

    schemas = merge_openapi(
        [ServiceSpec("auth", "/api/v1/auth", auth), ServiceSpec("cases", "/api/v1/cases", cases)]
    )["components"]["schemas"]

    assert "Envelope" not in schemas
    assert schemas["AuthEnvelope"]["properties"]["data"] == ref("AuthOrganisation")
    assert schemas["CasesEnvelope"]["properties"]["data"] == ref("CasesOrganisation")


def test_a_prefixed_name_that_is_taken_gets_a_number() -> None:
    auth = auth_spec()
    auth["components"]["schemas"]["CasesOrganisation"] = {"type": "null"}

    schemas = merge_openapi(
        [
            ServiceSpec("auth", "/api/v1/auth", auth),
            ServiceSpec("cases", "/api/v1/cases", cases_spec()),
        ]
    )["components"]["schemas"]

    assert schemas["CasesOrganisation"] == {"type": "null"}
    assert "kid" in schemas["CasesOrganisation2"]["properties"]


def test_discriminator_mappings_are_rewritten() -> None:
    body = merged()["paths"]["/api/v1/cases/cases"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]

    assert schema["oneOf"] == [ref("CasesKind"), ref("CasesOrganisation")]
    assert schema["discriminator"]["mapping"] == {
        "kind": "#/components/schemas/CasesKind",
        "org": "#/components/schemas/CasesOrganisation",
    }


def test_operations_are_tagged_by_service_and_keep_their_own_tags_aside() -> None:
    paths = merged()["paths"]
    post = paths["/api/v1/auth/organisations"]["post"]
    register_case = paths["/api/v1/cases/cases"]["post"]

    assert post["tags"] == ["auth"]
    assert post["x-service-tags"] == ["organisations"]
    assert register_case["tags"] == ["cases"]
    assert "x-service-tags" not in register_case


def test_security_schemes_collide_like_schemas_and_default_security_moves_down() -> None:
    doc = merged()
    schemes = doc["components"]["securitySchemes"]
    paths = doc["paths"]

    assert set(schemes) == {"Authbearer", "Casesbearer"}
    assert paths["/api/v1/auth/organisations"]["post"]["security"] == [{"Authbearer": []}]
    creditor = paths["/api/v1/cases/creditors/{organisation_id}"]["get"]
    assert creditor["security"] == [{"Casesbearer": []}]
    assert "security" not in paths["/api/v1/cases/cases"]["post"]
    assert "security" not in doc


def test_duplicate_operation_ids_are_made_unique() -> None:
    paths = merged()["paths"]

    assert paths["/api/v1/auth/organisations"]["post"]["operationId"] == "post_organisation"
    creditor = paths["/api/v1/cases/creditors/{organisation_id}"]["get"]
    assert creditor["operationId"] == "cases_post_organisation"


def test_the_input_documents_are_not_changed() -> None:
    auth, cases = auth_spec(), cases_spec()

    merge_openapi(
        [ServiceSpec("auth", "/api/v1/auth", auth), ServiceSpec("cases", "/api/v1/cases", cases)]
    )

    assert auth == auth_spec()
    assert cases == cases_spec()


def test_no_services_gives_an_empty_document_that_names_the_missing() -> None:
    doc = merge_openapi([], unavailable=["auth", "cases"])

    assert doc["paths"] == {}
    assert doc["tags"] == []
    assert "components" not in doc
    assert doc["info"]["x-unavailable"] == ["auth", "cases"]


def test_operations_by_tag_is_what_the_docs_page_lists() -> None:
    groups = dict(operations_by_tag(merged()))

    assert list(groups) == ["auth", "cases"]
    assert groups["auth"] == [
        {
            "method": "POST",
            "path": "/api/v1/auth/organisations",
            "summary": "Register an organisation",
            "operation_id": "post_organisation",
        }
    ]
    assert [(o["method"], o["path"]) for o in groups["cases"]] == [
        ("POST", "/api/v1/cases/cases"),
        ("GET", "/api/v1/cases/creditors/{organisation_id}"),
    ]
