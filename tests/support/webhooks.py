"""GraphQL documents of the webhooks area, shared by the API and end-to-end tests."""

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
