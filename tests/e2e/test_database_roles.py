"""The real `serve` on a fresh machine sets its database roles up itself and connects as the
least-privilege app role (infra/roles.py)."""

from __future__ import annotations

import asyncpg
from bridgework.infra.database import DATABASE, embedded_server
from bridgework.infra.roles import APP, OWNER
from support.serve import Serve

REGISTER = """
mutation { registerOrganization(input: {name: "Roles Middle School", kind: SCHOOL}) {
  __typename ... on OrganizationRegistered { position } } }
"""


async def test_serve_on_a_fresh_data_dir_connects_as_the_app_role_and_the_owner_owns_the_log(
    fresh_data_dir,
):
    with Serve(fresh_data_dir) as server:
        created = server.graphql(REGISTER)["registerOrganization"]
        assert created["__typename"] == "OrganizationRegistered"
        postgres = embedded_server(fresh_data_dir)  # joins the server `serve` started
        try:
            conn = await asyncpg.connect(postgres.get_uri(DATABASE))
            try:
                users = await conn.fetch(
                    "SELECT DISTINCT usename FROM pg_stat_activity"
                    " WHERE application_name = 'bridgework' AND datname = $1",
                    DATABASE,
                )
                owner = await conn.fetchval(
                    "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'events'"
                )
                recorded = await conn.fetchval(
                    "SELECT count(*) FROM events WHERE position = $1", created["position"]
                )
            finally:
                await conn.close()
        finally:
            postgres.cleanup()  # only our handle: the server stays up while `serve` runs
        output = server.stop()
    assert [u["usename"] for u in users] == [APP]
    assert owner == OWNER
    assert recorded == 1
    assert "not least privilege" not in output
