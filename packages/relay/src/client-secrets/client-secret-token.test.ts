import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_SECRET_PREFIX,
  ClientSecretKeys,
  MAX_CLIENT_SECRET_LENGTH,
} from './client-secret-token.ts';

const KEY_1 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
const KEY_2 = 'ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8';
const NOW = 1_800_000_000;
const claims = {
  tenant: 'acme',
  expiresAt: NOW + 600,
  session: { type: 'realtime', instructions: 'Be brief.' },
};
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Web APIs only (btoa, atob): these tests run in the edge runtime too, where Buffer is not.
const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const fromBase64Url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
/** A token's bytes and back, to alter them one at a time. */
const bytesOf = (token: string) => fromBase64Url(token.slice(CLIENT_SECRET_PREFIX.length));
const tokenOf = (bytes: Uint8Array) => `${CLIENT_SECRET_PREFIX}${toBase64Url(bytes)}`;

describe('ClientSecretKeys', () => {
  it('opens what it sealed: tenant, expiry and session', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const token = await keys.seal(claims);
    expect(token).toMatch(/^ek_[A-Za-z0-9_-]+$/);
    expect(await keys.open(token, NOW)).toEqual({ ok: true, claims });
    const anonymous = await keys.seal({
      tenant: undefined,
      expiresAt: NOW + 1,
      session: undefined,
    });
    expect(await keys.open(anonymous, NOW)).toEqual({
      ok: true,
      claims: { tenant: undefined, expiresAt: NOW + 1, session: undefined },
    });
    // Two seals of the same claims differ (a fresh IV each), and the session is not readable.
    expect(await keys.seal(claims)).not.toBe(token);
    expect(String.fromCharCode(...bytesOf(token))).not.toContain('Be brief');
  });

  it('refuses an expired secret from its expiry second on', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const token = await keys.seal(claims);
    expect((await keys.open(token, NOW + 599)).ok).toBe(true);
    expect(await keys.open(token, NOW + 600)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a secret with any one byte altered, saying which part failed', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const bytes = bytesOf(await keys.seal(claims));
    const reasons = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const altered = Uint8Array.from(bytes);
        altered[i] = (altered[i] as number) ^ flip;
        const opened = await keys.open(tokenOf(altered), NOW);
        expect(opened.ok, `byte ${i} ^ ${flip}`).toBe(false);
        if (!opened.ok)
          reasons.add(`${i < 1 ? 'version' : i < 5 ? 'key id' : 'sealed'}:${opened.reason}`);
      }
    }
    expect([...reasons].sort()).toEqual([
      'key id:unknown_key',
      'sealed:altered',
      'version:malformed',
    ]);
  });

  it('refuses a secret with any one character changed, including the last one’s unused bits', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const token = await keys.seal(claims);
    for (let i = CLIENT_SECRET_PREFIX.length; i < token.length; i++) {
      for (const char of [ALPHABET[(ALPHABET.indexOf(token[i] as string) + 1) % 64], '=', '.']) {
        const changed = `${token.slice(0, i)}${char}${token.slice(i + 1)}`;
        expect((await keys.open(changed, NOW)).ok, `char ${i} → ${char}`).toBe(false);
      }
    }
  });

  it('refuses every truncation of a secret', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const token = await keys.seal(claims);
    for (let length = 0; length < token.length; length++) {
      const opened = await keys.open(token.slice(0, length), NOW);
      expect(opened.ok, `length ${length}`).toBe(false);
      if (!opened.ok) expect(['malformed', 'altered']).toContain(opened.reason);
    }
  });

  it('opens a secret of the previous key during a rotation, and not once that key is dropped', async () => {
    const before = await ClientSecretKeys.fromSecrets([KEY_1]);
    const token = await before.seal(claims);
    const rotating = await ClientSecretKeys.fromSecrets([KEY_2, KEY_1]);
    expect((await rotating.open(token, NOW)).ok).toBe(true);
    // New secrets are sealed with the new key, which the old relay does not hold.
    expect(await before.open(await rotating.seal(claims), NOW)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    const after = await ClientSecretKeys.fromSecrets([KEY_2]);
    expect(await after.open(token, NOW)).toEqual({ ok: false, reason: 'unknown_key' });
    // A generated key is nobody else's.
    expect((await (await ClientSecretKeys.generate()).open(token, NOW)).ok).toBe(false);
  });

  it('takes keys as base64url or base64, and names the one that is not 32 bytes', async () => {
    const base64 = btoa(String.fromCharCode(...fromBase64Url(KEY_1)));
    const keys = await ClientSecretKeys.fromSecrets([base64]);
    expect((await keys.open(await keys.seal(claims), NOW)).ok).toBe(true);
    await expect(ClientSecretKeys.fromSecrets([KEY_1, 'short'])).rejects.toThrow(
      'key 2 is not 32 bytes',
    );
    await expect(ClientSecretKeys.fromSecrets([])).rejects.toThrow(TypeError);
  });

  it('never throws and never opens on 100,000 fuzzed secrets', async () => {
    const keys = await ClientSecretKeys.fromSecrets([KEY_1]);
    const real = bytesOf(await keys.seal(claims));
    const bodies = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,400}$/),
      // The real secret's header (so the key is found and the cipher runs) with any rest.
      fc
        .uint8Array({ maxLength: 300 })
        .map((rest) => toBase64Url(Uint8Array.from([...real.subarray(0, 17), ...rest]))),
    );
    let opened = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const result = await keys.open(`${CLIENT_SECRET_PREFIX}${body}`, NOW);
        if (result.ok) opened++;
      }),
      { numRuns: 100_000 },
    );
    expect(opened).toBe(0);
    expect(await keys.open(`ek_${'A'.repeat(MAX_CLIENT_SECRET_LENGTH)}`, NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  }, 120_000);
});
