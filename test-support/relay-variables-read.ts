// Test-only: every variable the relay's configuration reads, seen by handing the readers an
// environment that records each name asked for. Shared by the docs test (scripts/test/
// config-docs.test.ts: the READMEs' tables) and the CLI's (`rtwire relay --help`); each passes
// the modules as it loads them (the scripts from source, the CLI's tests from the build).

type Env = Readonly<Record<string, string | undefined>>;

/** The readers: `@rtwire/relay` (every runtime) and `@rtwire/node` (the Node process). */
export interface ConfigurationReaders {
  readonly relay: {
    parseRelayConfig(env: Env): unknown;
    createRelayFromEnv(env: Env, runtime: never): unknown;
  };
  readonly node: {
    loadRelayFromEnv(env: Env, options: { write: (line: string) => void }): Promise<unknown>;
  };
}

/**
 * The names `parseRelayConfig` and `createRelayFromEnv` of `@rtwire/relay` and
 * `loadRelayFromEnv` of `@rtwire/node` read, in each mode that reads more (a model server,
 * an upstream with resume, TLS). `INIT_CWD`, where a command was run, is not configuration.
 * It loads the WebRTC stack's native module when that is installed (26 MB): give it time.
 */
export async function variablesRead({ relay, node }: ConfigurationReaders): Promise<Set<string>> {
  const seen = new Set<string>();
  const recording = (values: Record<string, string>) =>
    new Proxy(values, {
      get(target, name) {
        if (typeof name === 'string') seen.add(name);
        return target[name as string];
      },
    });
  const runtime = { connectRealtime: () => undefined, frames: 'string', write: () => {} };
  // Some variables are read only when another is set: each mode once.
  const modes: Record<string, string>[] = [
    {},
    {
      MODEL_BASE_URL: 'http://127.0.0.1:1/v1',
      CHAT_MODEL: 'chat',
      TRANSCRIPTION_MODEL: 'transcription',
      SPEECH_MODEL: 'speech',
    },
    { UPSTREAM_URL: 'ws://127.0.0.1:1/v1/realtime', RESUME: 'on' },
    { TLS_CERT: '-----BEGIN CERTIFICATE-----', TLS_KEY: '-----BEGIN PRIVATE KEY-----' },
  ];
  for (const mode of modes) {
    relay.parseRelayConfig(recording(mode));
    relay.createRelayFromEnv(
      recording({ ...mode, RELAY_POLICY: '{"default":{}}' }),
      runtime as never,
    );
    await node.loadRelayFromEnv(recording(mode), { write: () => {} });
  }
  seen.delete('INIT_CWD');
  return seen;
}
