import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const sdkClient = fileURLToPath(new URL('./fixtures/openai-sdk-client.mjs', import.meta.url));

/** What the `openai` SDK's `OpenAIRealtimeWS` saw in one turn (see the fixture). */
export interface SdkTurn {
  readonly ok: boolean;
  readonly text: string;
  readonly audioBytes?: number;
  readonly types: string[];
  /** The function calls answered (`SDK_MODE=tools`). */
  readonly toolCalls?: { name: string; arguments: unknown }[];
}

/**
 * Holds one turn with the `openai` SDK's `OpenAIRealtimeWS` against `baseURL` (which must be
 * `https:`), in its own process so NODE_EXTRA_CA_CERTS trusts the test certificate.
 */
export function runSdkClient(
  baseURL: string,
  caPath: string,
  token: string,
  mode: 'text' | 'audio' | 'tools' = 'text',
): Promise<SdkTurn> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [sdkClient],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: caPath,
          RELAY_BASE_URL: baseURL,
          RELAY_TOKEN: token,
          SDK_MODE: mode,
        },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`sdk client failed: ${error?.message ?? ''} ${stdout} ${stderr}`));
        }
      },
    );
  });
}
