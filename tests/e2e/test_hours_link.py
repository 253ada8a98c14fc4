"""A supervisor's link with the real `bridgework serve`: with no SMTP server the mailer
writes each mail to the server's output, and the link printed there verifies the hours;
nothing else does."""

from __future__ import annotations

import asyncio

import httpx
from support.hours import LINK, token_in
from support.log import until
from support.serve import Serve, cli, environment

TO_VERIFY = "query($token: String!) { hoursToVerify(token: $token) { studentName activity } }"
VERIFY = """mutation($token: String!) { verifyHours(input: {token: $token,
  supervisorName: "Priya Natarajan", verified: true}) {
  __typename ... on HoursChanged { status } ... on RuleViolationError { rule } } }"""


def post(server: Serve, query: str, token: str) -> dict:
    response = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": {"token": token}}, timeout=60
    )
    response.raise_for_status()
    return response.json()


async def test_the_link_serve_writes_to_its_output_verifies_the_hours(data_dir, database_url):
    env = environment(DATABASE_URL=database_url)
    loaded = await asyncio.to_thread(cli, "demo", "--data-dir", str(data_dir), env=env)
    assert loaded.returncode == 0, loaded.stderr
    with Serve(data_dir, env=env) as server:

        def links() -> list[str]:
            return [token_in(line) for line in server.output().splitlines() if LINK.search(line)]

        await until(lambda: len(links()) == 7, 60)  # one per entry the demo logged
        output = server.output()
        assert "http://127.0.0.1:8000/verify-hours?token=" in output
        pages = {t: await asyncio.to_thread(post, server, TO_VERIFY, t) for t in links()}
        live = [t for t, page in pages.items() if "errors" not in page]
        assert len(live) == 1  # the demo answered every other link already
        (token,) = live
        assert pages[token]["data"]["hoursToVerify"]["activity"] == "Wrote the release notes"

        verified = await asyncio.to_thread(post, server, VERIFY, token)
        assert verified["data"]["verifyHours"] == {
            "__typename": "HoursChanged",
            "status": "VERIFIED",
        }
        again = await asyncio.to_thread(post, server, VERIFY, token)
        assert again["data"]["verifyHours"]["rule"] == "LINK_ALREADY_USED"
        server.stop()
