// Test-only: one text turn through @openai/agents-realtime's WebSocket transport, shared by
// the Node and the Deno relay tests (each imports the transport from its own node_modules).

/** The part of `OpenAIRealtimeWebSocket` the conversation uses. */
export interface AgentsTransport {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's typed event map differs between versions
  on(type: any, listener: any): unknown;
  connect(options: {
    apiKey: string;
    model: string;
    initialSessionConfig: { outputModalities: ['text'] };
  }): Promise<void>;
  sendMessage(text: string, options: Record<string, never>): void;
  close(): void;
}

/** What the transport saw during the turn. */
export interface AgentsTurn {
  readonly text: string;
  readonly types: readonly string[];
  readonly errors: readonly unknown[];
}

/** Connects, sends `message` as text, waits for `turn_done`, closes. */
export async function holdAgentsTurn(
  transport: AgentsTransport,
  apiKey: string,
  message: string,
): Promise<AgentsTurn> {
  const types: string[] = [];
  const errors: unknown[] = [];
  let text = '';
  transport.on('*', (event: { type: string }) => types.push(event.type));
  transport.on('output_text_delta', (event: { delta: string }) => {
    text += event.delta;
  });
  transport.on('audio_transcript_delta', (event: { delta: string }) => {
    text += event.delta;
  });
  const turnDone = new Promise((resolve, reject) => {
    transport.on('turn_done', resolve);
    transport.on('error', (error: unknown) => {
      errors.push(error);
      reject(new Error('transport error'));
    });
  });
  await transport.connect({
    apiKey,
    model: 'gpt-realtime',
    initialSessionConfig: { outputModalities: ['text'] },
  });
  transport.sendMessage(message, {});
  await turnDone;
  transport.close();
  return { text, types, errors };
}
