import { isJsonObject, type JsonObject } from '../json-object.ts';
import { composeInstructions, declareServerTool } from './client-policy.ts';
import type { TenantPolicy } from './relay-policy.ts';

/**
 * What must change in a session, as the upstream reports it (`session.updated`), for it to be
 * as the tenant's policy locks it: the operator's instructions (the string, or the prefix in
 * front), every server tool declared, an allowed voice, allowed output modalities, the token
 * cap. `undefined` when nothing must. For sessions the relay does not see the client of (a
 * WebRTC call forwarded upstream, whose browser talks to the upstream directly), this is how
 * a locked field the browser changed is set back.
 *
 * @example
 * ```ts
 * const patch = lockedSessionPatch(rules, event.session);
 * if (patch) upstream.send({ type: 'session.update', session: { type: 'realtime', ...patch } });
 * ```
 */
export function lockedSessionPatch(
  rules: TenantPolicy,
  session: JsonObject,
): JsonObject | undefined {
  const patch: JsonObject = {};
  const instructions = typeof session.instructions === 'string' ? session.instructions : undefined;
  if (rules.instructions !== undefined) {
    const locked =
      typeof rules.instructions === 'string'
        ? instructions === rules.instructions
        : (instructions ?? '').startsWith(rules.instructions.prefix);
    if (!locked) patch.instructions = composeInstructions(rules.instructions, instructions);
  }
  const tools = Array.isArray(session.tools) ? session.tools : [];
  const declared = new Set(tools.flatMap((tool) => (isJsonObject(tool) ? [tool.name] : [])));
  const missing = rules.serverTools.filter((tool) => !declared.has(tool.name));
  if (missing.length > 0) patch.tools = [...tools, ...missing.map(declareServerTool)];
  const output =
    isJsonObject(session.audio) && isJsonObject(session.audio.output) ? session.audio.output : {};
  const [voice] = rules.voices ?? [];
  if (
    voice !== undefined &&
    typeof output.voice === 'string' &&
    !rules.voices?.includes(output.voice)
  ) {
    patch.audio = { output: { voice } };
  }
  const modalities = Array.isArray(session.output_modalities) ? session.output_modalities : [];
  const allowed = rules.outputModalities;
  if (allowed !== undefined && modalities.some((m) => !allowed.includes(m))) {
    patch.output_modalities = [allowed[0]];
  }
  const cap = rules.maxOutputTokens;
  const tokens = session.max_output_tokens;
  if (cap !== undefined && (tokens === 'inf' || (typeof tokens === 'number' && tokens > cap))) {
    patch.max_output_tokens = cap;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
