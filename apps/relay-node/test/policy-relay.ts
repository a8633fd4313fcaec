// The policy tests' relay: the scenarios' policy (tenant acme rejects, the default clamps)
// with its tool server, and the scenarios' view of a test client.
import { type ScenarioClient, scenarioPolicy } from '../../../test-support/policy-scenarios.ts';
import { startToolServer } from '../../../test-support/tool-server.ts';
import { startRelay, type TestClient } from './helpers.ts';

/** A relay with the scenarios' policy (`extra` added to each tenant) on `env`. */
export async function relayWithPolicy(
  env: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  const tools = await startToolServer();
  const relay = await startRelay({
    RELAY_TOKENS: 'acme:tok_acme,tok_plain',
    RELAY_POLICY: JSON.stringify(scenarioPolicy(tools.url, extra)),
    ...env,
  });
  return { tools, relay };
}

/** What the shared scenarios drive: a test client as a {@link ScenarioClient}. */
export const scenarioClient = (client: TestClient): ScenarioClient => ({
  send: (event) => client.send(event),
  events: () => client.events,
  frames: () => client.raw,
  waitFor: (match, ms) => client.waitFor(match, ms),
});
