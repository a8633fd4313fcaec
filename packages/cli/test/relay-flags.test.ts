import { describe, expect, it } from 'vitest';
import { parseRelayArguments, RELAY_VARIABLES } from '../src/relay/index.ts';

describe('the flags of rtwire relay', () => {
  it('are the variables in kebab case, one each', () => {
    for (const { name, flag } of RELAY_VARIABLES)
      expect(flag).toBe(`--${name.toLowerCase().replaceAll('_', '-')}`);
    expect(new Set(RELAY_VARIABLES.map(({ flag }) => flag)).size).toBe(RELAY_VARIABLES.length);
  });

  it('win over the environment, as `--flag value` or `--flag=value`, leaving the rest of it', () => {
    const env = { PORT: '8000', SIM_PACE: 'realtime', UPSTREAM_URL: 'wss://a', HOME: '/home/me' };
    const parsed = parseRelayArguments(
      [
        '--port',
        '9000',
        '--sim-pace=fast',
        '--relay-tokens',
        'a,b',
        '--upstream-url=wss://b/x?y=1',
      ],
      env,
    );
    expect(parsed).toEqual({
      kind: 'run',
      env: {
        PORT: '9000',
        SIM_PACE: 'fast',
        RELAY_TOKENS: 'a,b',
        UPSTREAM_URL: 'wss://b/x?y=1',
        HOME: '/home/me',
      },
    });
    // The environment given is not changed.
    expect(env.PORT).toBe('8000');
  });

  it('take a value that starts with one dash, an empty value, and the last of a repeated flag', () => {
    const parsed = parseRelayArguments(
      ['--port', '-1', '--openai-api-key=', '--host', 'a', '--host', 'b'],
      { OPENAI_API_KEY: 'sk-env' },
    );
    expect(parsed).toEqual({ kind: 'run', env: { PORT: '-1', OPENAI_API_KEY: '', HOST: 'b' } });
  });

  it('pass over a `--` (pnpm passes it on from `pnpm start -- --port 9000`)', () => {
    expect(parseRelayArguments(['--', '--port', '9000'], {})).toEqual({
      kind: 'run',
      env: { PORT: '9000' },
    });
  });

  it('with none, run on the environment as it is', () => {
    expect(parseRelayArguments([], { PORT: '1234' })).toEqual({
      kind: 'run',
      env: { PORT: '1234' },
    });
  });

  it('ask for the help with --help or -h, wherever it stands', () => {
    expect(parseRelayArguments(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseRelayArguments(['--port', '1', '-h'], {})).toEqual({ kind: 'help' });
    expect(parseRelayArguments(['--nope', '--help'], {})).toEqual({ kind: 'help' });
  });

  it('refuse an unknown flag, naming it in one line', () => {
    const parsed = parseRelayArguments(['--port', '1', '--prot=2'], {});
    expect(parsed).toEqual({
      kind: 'error',
      message: 'unknown flag --prot (rtwire relay --help lists them)',
    });
    expect(parseRelayArguments(['-p', '1'], {})).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('unknown flag -p '),
    });
    // The environment's spelling is not a flag.
    expect(parseRelayArguments(['--PORT', '1'], {})).toMatchObject({
      message: expect.stringContaining('unknown flag --PORT '),
    });
  });

  it('refuse a flag without its value, naming it', () => {
    for (const args of [['--port'], ['--port', '--host', 'x']]) {
      expect(parseRelayArguments(args, {})).toEqual({
        kind: 'error',
        message: '--port needs a value (--port <value> or --port=<value>)',
      });
    }
  });

  it('refuse a bare word, and keep what they quote to one bounded line', () => {
    expect(parseRelayArguments(['relay'], {})).toEqual({
      kind: 'error',
      message: "unexpected argument 'relay' (every setting is a flag: rtwire relay --help)",
    });
    const parsed = parseRelayArguments([`--${'x'.repeat(500)}\nsecond line`], {});
    expect(parsed.kind).toBe('error');
    const message = parsed.kind === 'error' ? parsed.message : '';
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(120);
  });
});
