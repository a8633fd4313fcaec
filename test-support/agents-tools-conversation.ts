// Test-only: a conversation through @openai/agents-realtime in which the relay's server tool
// answers one turn and a client tool declared with zod runs client-side in the next. Shared by
// the Node and the Deno relay tests; each passes the SDK and zod from its own node_modules.

// biome-ignore lint/suspicious/noExplicitAny: the SDK's generics differ by version; its pieces are passed in untyped
type Untyped = any;

/** The SDK pieces the conversation uses, and zod's `z`. */
export interface AgentsSdk {
  readonly RealtimeAgent: new (options: Untyped) => unknown;
  readonly RealtimeSession: new (agent: Untyped, options: Untyped) => AgentsSession;
  readonly tool: (options: Untyped) => unknown;
  readonly z: Untyped;
}

interface AgentsSession {
  on(type: string, listener: (...args: never[]) => void): void;
  connect(options: { apiKey: string; url: string }): Promise<void>;
  sendMessage(text: string): void;
  close(): void;
}

/** What the conversation saw. */
export interface ToolsConversation {
  /** The agent's answer to each turn that produced text, in order. */
  readonly answers: readonly string[];
  /** What the client tool was called with. */
  readonly clientToolCalls: readonly unknown[];
  readonly errors: readonly unknown[];
  /** Every transport event, as JSON (to look for what must not be there). */
  readonly transportEvents: readonly string[];
}

/** Two turns: one the server tool `lookup_order` answers, one the client's `get_weather` does. */
export async function holdToolsConversation(
  sdk: AgentsSdk,
  url: string,
  apiKey: string,
): Promise<ToolsConversation> {
  const clientToolCalls: unknown[] = [];
  const getWeather = sdk.tool({
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: sdk.z.object({ city: sdk.z.string() }),
    execute: async (input: { city: string }) => {
      clientToolCalls.push(input);
      return `Sunny in ${input.city}`;
    },
  });
  const agent = new sdk.RealtimeAgent({
    name: 'Support',
    instructions: 'Be helpful.',
    tools: [getWeather],
  });
  const session = new sdk.RealtimeSession(agent, {
    transport: 'websocket',
    model: 'gpt-realtime',
    config: { outputModalities: ['text'] },
  });
  const transportEvents: string[] = [];
  const errors: unknown[] = [];
  const answers: string[] = [];
  const waiters: (() => void)[] = [];
  session.on('transport_event', (event: never) => transportEvents.push(JSON.stringify(event)));
  session.on('error', (error: never) => errors.push(error));
  session.on('agent_end', (_context: never, _agent: never, text: never) => {
    // A response that only called a tool ends with no text of its own.
    if (text !== '') answers.push(text);
    for (const wake of waiters.splice(0)) wake();
  });
  const answered = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${answers.length} answers`)), 10_000);
      const check = () => {
        if (answers.length >= count) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  await session.connect({ apiKey, url });
  session.sendMessage('please lookup_order A-17');
  await answered(1);
  session.sendMessage('what is get_weather in Oslo');
  await answered(2);
  session.close();
  return { answers, clientToolCalls, errors, transportEvents };
}
