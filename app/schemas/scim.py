"""The SCIM 2.0 wire format of /scim/v2 (RFC 7643), built with scim2-models: the resources WithU serves and what
it declares. Only what the directory holds: no names, e-mails or phone numbers (they are ignored, never stored)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Manager,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Returned,
    Schema,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models import Pagination as PaginationConfig

from app.domain.enums import AssignmentKind

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
WITHU_GROUP_URN = "urn:withu:params:scim:schemas:extension:2.0:Group"
UNIT = "unit"
GROUP_KINDS = [UNIT, *(k.value for k in AssignmentKind)]
MAX_COUNT = 200  # a page holds at most this many resources (RFC 7644 §3.4.2.4)
MAX_CANONICAL = 1_000  # unit keys published as department's canonicalValues

# Unknown attributes (name, emails…) are dropped, never stored; Entra's "remove with a value" is understood.
POLICY = ScimPolicy(unknown=ScimPolicy.Unknown.ignore, remove_value_as_filter=ScimPolicy.RemoveValue.apply)


class EnterpriseUser(Extension):
    """The enterprise extension as WithU keeps it: the employee number (= userName), the organisation (that of the
    department), the department (an org unit's id in the personnel system) and the manager (the supervisor)."""

    __schema__ = URN(ENTERPRISE_URN)

    employee_number: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    organization: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    department: Annotated[str | None, Required.true, CaseExact.true] = None
    manager: Manager | None = None


class User(Resource[EnterpriseUser]):
    """An employee of the personnel directory. userName is the employee number; it never changes."""

    __schema__ = URN(USER_URN)

    user_name: Annotated[str | None, Mutability.immutable, Required.true, Uniqueness.server, CaseExact.true] = None
    # Required: WithU must know whether the person is in the organisation (false: has left it, SEP-6).
    active: Annotated[bool | None, Required.true] = None


class WithUGroup(Extension):
    """What kind of group: an org unit (`unit`) or a work assignment (project, duty, shift, committee), the
    organisation it belongs to (both set when the group is created), and its id in the personnel directory."""

    __schema__ = URN(WITHU_GROUP_URN)

    kind: Annotated[str | None, Mutability.immutable, Required.true, CaseExact.true] = Field(None, examples=GROUP_KINDS)
    organization: Annotated[str | None, Mutability.immutable, Required.true, CaseExact.true] = None
    # The group's id in the personnel directory: a unit's is what users' `department` names, and both are what the
    # WithU API takes (`/separation/check`, events). Groups made over SCIM get `scim-<32 hex>`.
    key: Annotated[str | None, Mutability.read_only, CaseExact.true] = None


class Member(ComplexAttribute):
    """A member of a group: a user, by its id. (WithU keeps no names to display.)"""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    display: Annotated[str | None, Mutability.read_only] = None


class Group(Resource[WithUGroup]):
    """An org unit (its members: the people placed in it) or a work assignment (its members)."""

    __schema__ = URN(GROUP_URN)

    display_name: Annotated[str | None, Required.true] = None
    members: Annotated[list[Member] | None, Returned.default] = None


FullUser = User[EnterpriseUser]
FullGroup = Group[WithUGroup]


def service_provider_config(documentation: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        pagination=PaginationConfig(index=True, cursor=False, default_page_size=MAX_COUNT, max_page_size=MAX_COUNT),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="OAuth Bearer Token",
                description="A machine client's token (client credentials, POST /api/v1/oauth/token) with scope scim.",
                primary=True,
            )
        ],
    )


def resource_types() -> list[ResourceType]:
    """Users (with the enterprise extension, required: the department is) and Groups (with WithU's kind)."""
    found = [ResourceType.from_resource(FullUser), ResourceType.from_resource(FullGroup)]
    for resource_type in found:
        for extension in resource_type.schema_extensions or []:
            extension.required = True
    return found


def schemas(organisations: list[str], units: list[str]) -> list[Schema]:
    """The schemas as WithU serves them; the organisations and units the directory knows are the canonical values
    of organization (groups) and department (users)."""
    published = []
    for model in (User, EnterpriseUser, Group, WithUGroup):
        schema = model.to_schema()
        for attribute in schema.attributes or []:
            if model is EnterpriseUser and attribute.name == "department":
                attribute.canonical_values = units or None
            if model is WithUGroup and attribute.name == "organization":
                attribute.canonical_values = organisations or None
        published.append(schema)
    return published


def dump(resource: Any, **kwargs: Any) -> dict[str, Any]:
    from scim2_models import Context

    return resource.model_dump(
        scim_ctx=kwargs.pop("ctx", Context.RESOURCE_QUERY_RESPONSE), scim_policy=POLICY, **kwargs
    )
