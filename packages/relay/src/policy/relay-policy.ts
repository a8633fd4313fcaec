import { RtwireError } from '@rtwire/types';
import { type JsonSchema, type SchemaViolation, validateJsonSchema } from './json-schema.ts';
import { findJsonSyntaxError } from './json-syntax-error.ts';
import { RELAY_POLICY_SCHEMA } from './policy-schema.ts';

/** A tool the relay declares upstream and runs itself; its secrets never reach the client. */
export interface ServerToolPolicy {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments; the relay validates every call against it. */
  readonly parameters: JsonSchema;
  /** The endpoint the relay POSTs `{ name, arguments, call_id, session, tenant }` to. */
  readonly url: string | undefined;
  /** The handler is the export of `RELAY_TOOLS_MODULE` named like the tool (Node only). */
  readonly module: boolean;
  /** How long a call may take before it ends as an error output (default 10 s). */
  readonly timeoutMs: number;
  /** A header sent with every call (the value already read from the environment). */
  readonly secretHeader: { readonly name: string; readonly value: string } | undefined;
  /** `hidden` (default): the client never sees this tool's calls. */
  readonly visibility: 'hidden' | 'visible';
}

/** What one tenant's sessions may do. Absent fields leave the client free. */
export interface TenantPolicy {
  /** A string replaces the client's instructions; `{ prefix }` goes before them. */
  readonly instructions: string | { readonly prefix: string } | undefined;
  readonly models: readonly string[] | undefined;
  readonly voices: readonly string[] | undefined;
  /**
   * Languages a translation session may translate into (`audio.output.language`); the first
   * is set when the session opens.
   */
  readonly outputLanguages: readonly string[] | undefined;
  readonly outputModalities: readonly ('text' | 'audio')[] | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly turnDetection: 'locked' | 'free';
  readonly toolChoice: readonly ('auto' | 'none' | 'required' | 'function')[] | undefined;
  readonly maxSessionSeconds: number | undefined;
  /** The longest a client secret minted for the tenant lives, in seconds. */
  readonly clientSecretMaxSeconds: number | undefined;
  /** `reject` (default): refuse with `policy_violation`; `clamp`: rewrite to what is allowed. */
  readonly onViolation: 'reject' | 'clamp';
  /** Names of the tools a client may declare; absent: any. */
  readonly clientTools: readonly string[] | undefined;
  readonly serverTools: readonly ServerToolPolicy[];
  /** What the tenant's sessions may use together (metering); absent: unmetered. */
  readonly limits: TenantLimits | undefined;
}

/** A fixed window usage is counted in: it starts on the minute, hour, day or month (UTC). */
export type UsageWindow = 'minute' | 'hour' | 'day' | 'month';

/** Caps per window; an absent window is not capped. */
export type WindowCaps = Readonly<Partial<Record<UsageWindow, number>>>;

/** What one tenant's sessions may use together, across the relays that share the store. */
export interface TenantLimits {
  /** Sessions (calls included) open at once. */
  readonly concurrentSessions: number | undefined;
  /** Tokens of every kind, per window. */
  readonly tokens: WindowCaps;
  /** Input tokens alone, per window. */
  readonly inputTokens: WindowCaps;
  /** Output tokens alone, per window. */
  readonly outputTokens: WindowCaps;
  /** Seconds of audio in and out, per window (measured from the bytes appended and sent). */
  readonly audioSeconds: WindowCaps;
  /** Seconds of audio the client appended, per window. */
  readonly inputAudioSeconds: WindowCaps;
  /** Seconds of audio the model sent, per window. */
  readonly outputAudioSeconds: WindowCaps;
  /** USD per window, at {@link RelayPolicy.prices}. */
  readonly budget: { readonly usd: number; readonly per: UsageWindow } | undefined;
}

/** USD per million tokens of one model. */
export interface ModelPrice {
  readonly textIn: number;
  readonly textOut: number;
  readonly audioIn: number;
  readonly audioOut: number;
  /** Cached input tokens (default: the `textIn` rate). */
  readonly cachedIn: number;
}

/** A parsed, validated `RELAY_POLICY`. */
export interface RelayPolicy {
  readonly tenants: Readonly<Record<string, TenantPolicy>>;
  /** For plain tokens and, without `RELAY_TOKENS`, for every client. */
  readonly default: TenantPolicy | undefined;
  /** USD per million tokens, by model: what budgets are spent at. */
  readonly prices: Readonly<Record<string, ModelPrice>>;
}

/** What {@link parseRelayPolicy} returns. */
export type RelayPolicyResult =
  | { readonly ok: true; readonly policy: RelayPolicy }
  | { readonly ok: false; readonly errors: readonly SchemaViolation[] };

/**
 * Thrown by {@link loadRelayPolicy} for a policy that cannot be read or is invalid; `errors`
 * names each problem by JSON pointer.
 *
 * @example
 * ```ts
 * try {
 *   loadRelayPolicy(source);
 * } catch (error) {
 *   if (RelayPolicyError.isInstance(error)) console.error(error.errors);
 * }
 * ```
 */
export class RelayPolicyError extends RtwireError {
  static override readonly brand: string = 'rtwire.RelayPolicyError';
  /** Each problem: a JSON pointer into the policy and what was expected there. */
  readonly errors: readonly SchemaViolation[];
  constructor(errors: readonly SchemaViolation[]) {
    super(
      'invalid_policy',
      `RELAY_POLICY is invalid: ${errors.map((error) => `${error.path || '/'}: expected ${error.expected}`).join('; ')}`,
    );
    this.errors = errors;
  }
}

const DEFAULT_TOOL_TIMEOUT_MS = 10_000;

/**
 * Validates a parsed policy against the policy schema (`policy.schema.json`) and the rules a schema cannot
 * say (a server tool has a `url` or `module`; tool names are unique per tenant and not also
 * client tools; `env:NAME` secrets are set), and returns it with defaults filled in. Errors name
 * a JSON pointer and what was expected, never the value.
 *
 * @example
 * ```ts
 * const result = parseRelayPolicy({ default: { voices: ['marin'] } });
 * if (!result.ok) console.error(result.errors);
 * ```
 */
export function parseRelayPolicy(
  value: unknown,
  env: Readonly<Record<string, string | undefined>> = {},
): RelayPolicyResult {
  const violations = validateJsonSchema(value, RELAY_POLICY_SCHEMA);
  if (violations.length > 0) return { ok: false, errors: violations };
  const raw = value as {
    tenants?: Record<string, RawTenant>;
    default?: RawTenant;
    prices?: Record<string, Omit<ModelPrice, 'cachedIn'> & { cachedIn?: number }>;
  };
  const errors: SchemaViolation[] = [];
  const tenants: Record<string, TenantPolicy> = {};
  for (const [name, tenant] of Object.entries(raw.tenants ?? {})) {
    tenants[name] = tenantPolicy(tenant, `/tenants/${name}`, env, errors);
  }
  const fallback =
    raw.default === undefined ? undefined : tenantPolicy(raw.default, '/default', env, errors);
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(raw.prices ?? {})) {
    prices[model] = { ...price, cachedIn: price.cachedIn ?? price.textIn };
  }
  // A budget is spent at the price table's rates: without one, it could never be spent.
  for (const [path, tenant] of [
    ...Object.entries(tenants).map(([name, rules]) => [`/tenants/${name}`, rules] as const),
    ...(fallback === undefined ? [] : [['/default', fallback] as const]),
  ]) {
    if (tenant.limits?.budget !== undefined && Object.keys(prices).length === 0) {
      errors.push({
        path: `${path}/limits/budget`,
        expected: 'a "prices" table to spend it at',
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: { tenants, default: fallback, prices } };
}

/**
 * Reads `RELAY_POLICY`: inline JSON (it starts with `{`) or the path of a JSON file, read with
 * `readTextFile` (absent on runtimes without a file system, where only inline JSON works).
 * Throws a {@link RelayPolicyError} naming every problem.
 *
 * @example
 * ```ts
 * const policy = loadRelayPolicy(env.RELAY_POLICY, env, (path) => readFileSync(path, 'utf8'));
 * ```
 */
export function loadRelayPolicy(
  source: string,
  env: Readonly<Record<string, string | undefined>> = {},
  readTextFile?: (path: string) => string,
): RelayPolicy {
  const trimmed = source.trim();
  let text = trimmed;
  if (!trimmed.startsWith('{')) {
    if (readTextFile === undefined) {
      throw new RelayPolicyError([
        { path: '', expected: 'inline JSON (this runtime cannot read files)' },
      ]);
    }
    try {
      text = readTextFile(trimmed);
    } catch {
      throw new RelayPolicyError([{ path: '', expected: `a readable file at ${trimmed}` }]);
    }
  }
  // An editor's byte order mark is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text near the error (a secret, maybe) and, on some
    // runtimes, gives no position: the position comes from a scan of our own.
    const syntax = findJsonSyntaxError(text);
    const detail =
      syntax === undefined
        ? ''
        : ` (line ${syntax.line}, column ${syntax.column}: expected ${syntax.expected})`;
    throw new RelayPolicyError([{ path: '', expected: `JSON text${detail}` }]);
  }
  const result = parseRelayPolicy(parsed, env);
  if (!result.ok) throw new RelayPolicyError(result.errors);
  return result.policy;
}

/**
 * The policy a client's credential gets: its tenant's, or `default` for a plain token (or no
 * token). `undefined` when the policy says nothing for it: the session is not restricted.
 *
 * @example
 * ```ts
 * const tenantPolicy = policyForTenant(policy, decision.tenant);
 * ```
 */
export function policyForTenant(
  policy: RelayPolicy | undefined,
  tenant: string | undefined,
): TenantPolicy | undefined {
  if (policy === undefined) return undefined;
  if (tenant !== undefined && Object.hasOwn(policy.tenants, tenant)) return policy.tenants[tenant];
  return policy.default;
}

interface RawTenant {
  instructions?: string | { prefix: string };
  models?: string[];
  voices?: string[];
  outputLanguages?: string[];
  outputModalities?: ('text' | 'audio')[];
  maxOutputTokens?: number;
  turnDetection?: 'locked' | 'free';
  toolChoice?: ('auto' | 'none' | 'required' | 'function')[];
  maxSessionSeconds?: number;
  clientSecretMaxSeconds?: number;
  onViolation?: 'reject' | 'clamp';
  clientTools?: string[];
  serverTools?: RawServerTool[];
  limits?: RawLimits;
}

type RawWindows = { perMinute?: number; perHour?: number; perDay?: number; perMonth?: number };

interface RawLimits {
  concurrentSessions?: number;
  tokens?: RawWindows & { input?: RawWindows; output?: RawWindows };
  audioSeconds?: RawWindows & { input?: RawWindows; output?: RawWindows };
  budget?: { usd: number; per: UsageWindow };
}

function windowCaps(raw: RawWindows | undefined): WindowCaps {
  const caps: Partial<Record<UsageWindow, number>> = {};
  if (raw?.perMinute !== undefined) caps.minute = raw.perMinute;
  if (raw?.perHour !== undefined) caps.hour = raw.perHour;
  if (raw?.perDay !== undefined) caps.day = raw.perDay;
  if (raw?.perMonth !== undefined) caps.month = raw.perMonth;
  return caps;
}

function tenantLimits(raw: RawLimits | undefined): TenantLimits | undefined {
  if (raw === undefined) return undefined;
  return {
    concurrentSessions: raw.concurrentSessions,
    tokens: windowCaps(raw.tokens),
    inputTokens: windowCaps(raw.tokens?.input),
    outputTokens: windowCaps(raw.tokens?.output),
    audioSeconds: windowCaps(raw.audioSeconds),
    inputAudioSeconds: windowCaps(raw.audioSeconds?.input),
    outputAudioSeconds: windowCaps(raw.audioSeconds?.output),
    budget: raw.budget,
  };
}

interface RawServerTool {
  name: string;
  description?: string;
  parameters: JsonSchema;
  url?: string;
  module?: boolean;
  timeoutMs?: number;
  secretHeader?: { name: string; value: string };
  visibility?: 'hidden' | 'visible';
}

function tenantPolicy(
  raw: RawTenant,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  errors: SchemaViolation[],
): TenantPolicy {
  const names = new Set<string>();
  const serverTools = (raw.serverTools ?? []).map((tool, index) => {
    const at = `${path}/serverTools/${index}`;
    if (names.has(tool.name))
      errors.push({ path: `${at}/name`, expected: 'a name no other server tool has' });
    names.add(tool.name);
    if (raw.clientTools?.includes(tool.name)) {
      errors.push({ path: `${at}/name`, expected: 'a name that is not also a client tool' });
    }
    if ((tool.url === undefined) === (tool.module !== true)) {
      errors.push({ path: at, expected: 'either "url" or "module": true' });
    }
    let secretHeader: ServerToolPolicy['secretHeader'];
    if (tool.secretHeader !== undefined) {
      const { name, value } = tool.secretHeader;
      const variable = value.startsWith('env:') ? value.slice(4) : undefined;
      const resolved = variable === undefined ? value : env[variable];
      if (resolved === undefined || resolved === '') {
        errors.push({
          path: `${at}/secretHeader/value`,
          expected: `the environment variable ${variable} to be set`,
        });
      } else secretHeader = { name, value: resolved };
    }
    return {
      name: tool.name,
      description: tool.description ?? '',
      parameters: tool.parameters,
      url: tool.url,
      module: tool.module === true,
      timeoutMs: tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS,
      secretHeader,
      visibility: tool.visibility ?? 'hidden',
    } satisfies ServerToolPolicy;
  });
  return {
    instructions: raw.instructions,
    models: raw.models,
    voices: raw.voices,
    outputLanguages: raw.outputLanguages,
    outputModalities: raw.outputModalities,
    maxOutputTokens: raw.maxOutputTokens,
    turnDetection: raw.turnDetection ?? 'free',
    toolChoice: raw.toolChoice,
    maxSessionSeconds: raw.maxSessionSeconds,
    clientSecretMaxSeconds: raw.clientSecretMaxSeconds,
    onViolation: raw.onViolation ?? 'reject',
    clientTools: raw.clientTools,
    serverTools,
    limits: tenantLimits(raw.limits),
  };
}
