"""`atLeast`: served once the views include the write, refused at once when it cannot be."""

from __future__ import annotations

from support.api import org

ALIASES = 30


def positions(api):
    return api.client.app.state.api.positions


def test_an_at_least_beyond_the_head_is_refused_at_once_naming_the_field(api):
    created = org(api)
    beyond = created["position"] + 1000
    fields = " ".join(
        f'o{i}: organization(id: "{created["id"]}", atLeast: {beyond}) {{ name }}'
        for i in range(ALIASES)
    )
    reads = positions(api).stats.reads
    body = api.post(f"query {{ {fields} }}")
    assert len(body["errors"]) == ALIASES
    for error in body["errors"]:
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == "atLeast"
        assert error["message"].startswith(f"atLeast: {beyond} is beyond the last position")
    assert body["data"] == {f"o{i}": None for i in range(ALIASES)}
    assert positions(api).stats.reads == reads  # nobody waited for the views


def test_a_negative_at_least_is_refused_naming_the_field(api):
    created = org(api)
    body = api.post(f'{{ organization(id: "{created["id"]}", atLeast: -1) {{ name }} }}')
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "atLeast"}
    assert "atLeast" in error["message"]


def test_a_reachable_at_least_is_served_with_the_write_in_it(api):
    created = org(api, "Lincoln Middle School")
    renamed = api.data(
        'mutation { registerOrganization(input: {name: "Ardent", kind: BUSINESS}) {'
        " ... on OrganizationRegistered { id position } } }"
    )["registerOrganization"]
    query = (
        f'{{ a: organization(id: "{created["id"]}", atLeast: {renamed["position"]}) {{ name }}'
        f' b: organization(id: "{renamed["id"]}", atLeast: {renamed["position"]}) {{ name }} }}'
    )
    assert api.data(query) == {"a": {"name": "Lincoln Middle School"}, "b": {"name": "Ardent"}}
    assert positions(api).stats.caught_up >= 2
