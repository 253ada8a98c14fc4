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


def the_page_verifies(server: Serve, token: str) -> None:
    """What the supervisor's browser does with the mailed link: open it, then send the form
    (first with mistakes, each reported by the page, changing nothing)."""
    page = f"{server.url}/verify-hours"
    shown = httpx.get(page, params={"token": token}, timeout=60)
    assert shown.status_code == 200, shown.text
    assert shown.headers["content-type"].startswith("text/html")
    assert "form-action 'self'" in shown.headers["content-security-policy"]
    assert shown.headers["cache-control"] == "no-store"
    assert "Wrote the release notes" in shown.text
    assert f'name="token" value="{token}"' in shown.text
    form = {"token": token, "supervisor_name": "Priya Natarajan", "decision": "decline"}
    no_reason = httpx.post(page, data=form, timeout=60)
    assert no_reason.status_code == 422
    assert "reason is required" in no_reason.text
    nameless = httpx.post(page, data=form | {"supervisor_name": "", "decision": "verify"})
    assert nameless.status_code == 422
    assert "supervisorName" in nameless.text or "supervisor" in nameless.text.lower()
    done = httpx.post(page, data=form | {"decision": "verify"}, timeout=60)
    assert done.status_code == 200, done.text
    assert "You confirmed the hours" in done.text
    used = httpx.get(page, params={"token": token}, timeout=60)
    assert used.status_code == 400
    assert "<form" not in used.text
    forged = httpx.get(page, params={"token": "<script>alert(1)</script>"}, timeout=60)
    assert forged.status_code == 400
    assert "<script>" not in forged.text
    access_log = [line for line in server.output().splitlines() if "GET /verify-hours" in line]
    assert access_log, "the access log records the page's requests"
    assert not any(token in line or token.partition(".")[2] in line for line in access_log)


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

        await asyncio.to_thread(the_page_verifies, server, token)
        again = await asyncio.to_thread(post, server, VERIFY, token)
        assert again["data"]["verifyHours"]["rule"] == "LINK_ALREADY_USED"
        server.stop()
