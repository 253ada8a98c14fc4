"""GraphQL documents of the webhooks area, shared by the API and end-to-end tests, and the
API tests' helpers."""

import time

import pytest

REGISTER = """mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) {
    __typename
    ... on WebhookEndpointRegistered { id secret endpoint { id url mode eventTypes
      organizationIds personalData activeSecrets } }
    ... on ValidationError { field message }
    ... on NotFoundError { field message }
    ... on ForbiddenError { message }
  } }"""
ENDPOINT_INPUT = """mutation($input: WebhookEndpointInput!) {{
  {field}(input: $input) {{
    __typename
    {success}
    ... on ValidationError {{ field message }}
    ... on NotFoundError {{ field message }}
    ... on ForbiddenError {{ message }}
  }} }}"""
UPDATED = "... on WebhookEndpointUpdated { id endpoint { disabledAt disabledReason } }"
ROTATE = ENDPOINT_INPUT.format(
    field="rotateWebhookSecret", success="... on WebhookSecretRotated { id secret }"
)
DISABLE = ENDPOINT_INPUT.format(field="disableWebhookEndpoint", success=UPDATED)
ENABLE = ENDPOINT_INPUT.format(field="enableWebhookEndpoint", success=UPDATED)
REDELIVER = """mutation($input: RedeliverWebhookMessageInput!) {
  redeliverWebhookMessage(input: $input) {
    __typename ... on WebhookEndpointUpdated { id } ... on NotFoundError { field }
    ... on ValidationError { field } } }"""
REPLAY = """mutation($input: ReplayWebhooksInput!) {
  replayWebhooks(input: $input) {
    __typename ... on WebhookEndpointUpdated { id count } ... on NotFoundError { field }
    ... on ValidationError { field } } }"""
ENDPOINTS = """{ webhookEndpoints { id url mode disabledAt disabledReason failingSince
  activeSecrets messages(first: 100) { eventId position status attempts lastError
    nextAttemptAt attemptLog { statusCode error durationMs } } } }"""


def register(api, url: str, who: str | None = None, **more) -> dict:
    """`registerWebhookEndpoint`'s payload (as the deployment's staff unless `who`)."""
    found = api.data(REGISTER, {"input": {"url": url} | more}, authorization=who or api.staff)
    return found["registerWebhookEndpoint"]


def endpoints(api, who: str | None = None) -> list[dict]:
    return api.data(ENDPOINTS, authorization=who or api.staff)["webhookEndpoints"]


def until(check, seconds: float = 120):
    """`check()` once it is truthy; a deadline for a slow machine, not a measure of speed."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        if time.monotonic() > deadline:
            pytest.fail("not reached in time")
        time.sleep(0.05)
    return found
