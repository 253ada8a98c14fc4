// Follow Bridgework's `events` subscription with the official graphql-ws client, as a
// JavaScript front end or integration would, and print each event as one JSON line.
//
//   BRIDGEWORK_AUTHORIZATION="Bearer …" node subscribe.mjs <ws-url> <how-many> [<after-cursor>]
//
// The token goes in connection_init (`connectionParams`), as a browser must send it.
// Exits 0 after <how-many> events; on any error prints it to stderr and exits 1.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, howMany, after] = process.argv.slice(2);
const wanted = Number(howMany);
if (!url || !Number.isInteger(wanted) || wanted < 1) {
  console.error("usage: node subscribe.mjs <ws-url> <how-many> [<after-cursor>]");
  process.exit(2);
}

const EVENTS = `subscription($after: String) {
  events(after: $after) { position cursor eventId streamId type payload } }`;

// No retries: a dropped connection must fail the test, not be papered over.
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  lazy: true,
  connectionParams: { authorization: process.env.BRIDGEWORK_AUTHORIZATION },
});

// graphql-ws rejects with an Error, a list of GraphQL errors, or the socket's close or error
// event; say which, readably.
function describe(error) {
  if (error instanceof Error) return error.stack;
  if (typeof error?.code === "number") return `socket closed: ${error.code} ${error.reason}`;
  if (error?.message) return `socket error: ${error.message}`;
  return JSON.stringify(error);
}

let seen = 0;
try {
  for await (const result of client.iterate({
    query: EVENTS,
    variables: { after: after ?? null },
  })) {
    if (result.errors) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    }
    console.log(JSON.stringify(result.data.events));
    seen += 1;
    if (seen >= wanted) break; // leaving the loop sends `complete` for the subscription
  }
  if (seen < wanted) throw new Error(`the subscription ended after ${seen} of ${wanted} events`);
} catch (error) {
  console.error(describe(error));
  process.exitCode = 1;
} finally {
  await client.dispose();
}
