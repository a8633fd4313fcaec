// Test-only: the relay policy and server-tool scenarios, shared by the Node and the Deno relay
// tests (and the worker in workerd). Runtime-neutral: each app brings its own client and
// tool server; this module says what to send and what must hold.

/** The tool secret the relay sends the tool server; it must never reach the client. */
export const TOOL_SECRET = 'tool-secret-4f1c';
export const OPERATOR_INSTRUCTIONS = "You are Acme's support agent. Internal code: OP-7731.";

/** The scenarios' server tool: `lookup_order`, answered over HTTP at `toolUrl`. */
export function lookupOrderTool(toolUrl: string) {
  return {
    name: 'lookup_order',
    description: 'Look up an order by its number.',
    parameters: {
      type: 'object',
      properties: { order: { type: 'string' } },
      required: ['order'],
    },
    url: toolUrl,
    timeoutMs: 1500,
    secretHeader: { name: 'x-tool-secret', value: TOOL_SECRET },
  };
}

/**
 * The policy of the scenarios: tenant `acme` (reject) and the `default` (clamp), both with the
 * server tool `lookup_order` served at `toolUrl`, and `get_weather` allowed as a client tool.
 */
export function scenarioPolicy(toolUrl: string, extra: Record<string, unknown> = {}) {
  const serverTools = [lookupOrderTool(toolUrl)];
  const common = {
    instructions: OPERATOR_INSTRUCTIONS,
    models: ['gpt-realtime'],
    voices: ['marin', 'cedar'],
    maxOutputTokens: 512,
    clientTools: ['get_weather'],
    serverTools,
    ...extra,
  };
  return {
    tenants: { acme: { ...common, onViolation: 'reject' } },
    default: { ...common, onViolation: 'clamp' },
  };
}

/** What the tool server answers, by what the order text contains. */
export function toolServerReply(body: { arguments?: { order?: unknown } }): {
  status: number;
  contentType: string;
  text: string;
  delayMs: number;
} {
  const order = String(body.arguments?.order ?? '');
  if (order.includes('SLOW'))
    return { status: 200, contentType: 'application/json', text: '{}', delayMs: 5000 };
  if (order.includes('FAIL'))
    return {
      status: 500,
      contentType: 'text/plain',
      text: 'stack: db.internal refused',
      delayMs: 0,
    };
  if (order.includes('GARBAGE'))
    return { status: 200, contentType: 'application/json', text: '{"status":', delayMs: 0 };
  return { status: 200, contentType: 'application/json', text: '{"status":"shipped"}', delayMs: 0 };
}

/** The client side a scenario drives. */
export interface ScenarioClient {
  send(event: unknown): void;
  /** Every event received so far, parsed. */
  events(): readonly { type: string; [key: string]: unknown }[];
  /** Every frame received so far, as text. */
  frames(): readonly string[];
  waitFor(
    match: (event: { type: string; [key: string]: unknown }) => boolean,
    ms?: number,
  ): Promise<{ type: string; [key: string]: unknown }>;
}

const userText = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

/**
 * One text turn in which the model calls the server tool (the simulator calls the tool the
 * user names). Returns the text of the model's follow-up response, which reads the output.
 */
export async function serverToolTurn(client: ScenarioClient, order: string): Promise<string> {
  const before = client.events().filter((event) => event.type === 'response.done').length;
  client.send(userText(`please lookup_order ${order}`));
  client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  // The call's response is withheld from nothing but the call: it ends with a response.done
  // of its own, then the relay's follow-up response answers.
  await client.waitFor(
    () => client.events().filter((event) => event.type === 'response.done').length >= before + 2,
    10_000,
  );
  const done = client
    .events()
    .filter((event) => event.type === 'response.done')
    .at(-1) as unknown as {
    response: { output: { content?: { text?: string }[] }[] };
  };
  return done.response.output
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text ?? '')
    .join('');
}

/**
 * The frames the client got that carry a trace of the server tool, its secret or the
 * operator's instructions. The echoes of the user's own messages (which name the tool) are
 * what the client sent, not a trace.
 */
export function tracesOfServerTools(client: ScenarioClient): string[] {
  return client.frames().filter((frame) => {
    const event = JSON.parse(frame) as { item?: { role?: string } };
    if (event.item?.role === 'user') return false;
    return (
      frame.includes('lookup_order') || frame.includes(TOOL_SECRET) || frame.includes('OP-7731')
    );
  });
}
