// Each check is able to fail: a proxy in front of a conforming server (the relay on its
// simulator) breaks the protocol in one way, and exactly the checks that hold the server to
// that part of the protocol fail, no more and no fewer.
import { loadRelayFromEnv } from '@rtwire/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConformanceReport,
  conformanceChecks,
  createSpecValidator,
  runConformance,
} from '../src/conformance/index.ts';
import { type RelayServer, startRelayServer } from '../src/relay/index.ts';
import { type Fault, type Json, startFaultProxy } from './fault-proxy.ts';

const ALL_IDS = conformanceChecks(createSpecValidator()).map((check) => check.id);
const ERROR_IDS = ALL_IDS.filter((id) => id.startsWith('error.'));
const except = (ids: readonly string[], left: readonly string[]) =>
  ids.filter((id) => !left.includes(id));

/** Drops every event of a type. */
const drop =
  (type: string) =>
  (event: Json): Json[] =>
    event.type === type ? [] : [event];

/** Changes every event of a type in place. */
const edit =
  (type: string, change: (event: Json) => void) =>
  (event: Json): Json[] => {
    if (event.type === type) change(event);
    return [event];
  };

const errorOf = (event: Json) => event.error as Record<string, unknown>;
const sessionOf = (event: Json) => event.session as Record<string, unknown>;
const responseOf = (event: Json) => event.response as Record<string, unknown>;

/** Each fault, and the checks it must make fail. */
const FAULTS: readonly (Fault & { readonly fails: readonly string[] })[] = [
  {
    name: 'a content part never closed',
    toClient: drop('response.content_part.done'),
    fails: ['responses.order'],
  },
  {
    name: 'response.created after the first output item',
    toClient: (event, state) => {
      if (event.type === 'response.created') {
        state.notes.set('held', event);
        return [];
      }
      const held = state.notes.get('held') as Json | undefined;
      if (held === undefined || event.response_id === undefined) return [event];
      state.notes.delete('held');
      return [event, held];
    },
    fails: ['responses.order'],
  },
  {
    name: 'errors repeat what the client sent',
    // The faulty server quotes the frames that led to the error.
    toClient: (event, state) => {
      if (event.type === 'error') {
        errorOf(event).message =
          `${String(errorOf(event).message)}: ${state.clientFrames.join(' ')}`;
      }
      return [event];
    },
    // Those with nothing of the client's in them: no quote can show.
    fails: except(ERROR_IDS, [
      'error.session-missing',
      'error.retrieve-unknown',
      'error.delete-unknown',
      'error.append-missing-audio',
      'error.commit-empty',
      'error.cancel-none',
    ]),
  },
  {
    name: 'errors do not echo the event_id',
    toClient: edit('error', (event) => {
      errorOf(event).event_id = null;
    }),
    fails: [
      ...except(ERROR_IDS, ['error.invalid-json']),
      'response.second-active',
      'session.update-refused-unchanged',
    ],
  },
  {
    name: 'errors name the wrong param',
    toClient: edit('error', (event) => {
      errorOf(event).param = 'conformance_wrong';
    }),
    fails: except(ERROR_IDS, [
      'error.invalid-json',
      'error.truncate-not-audio',
      'error.commit-empty',
      'error.cancel-none',
    ]),
  },
  {
    name: 'errors carry the wrong code',
    toClient: edit('error', (event) => {
      errorOf(event).code = 'conformance_wrong';
    }),
    fails: [
      'error.unknown-field',
      'error.session-unknown-field',
      'error.session-beta-field',
      'error.item-unknown-field',
      'error.commit-empty',
      'error.cancel-none',
      'error.response-beta-field',
      'input-audio.clear',
      'response.second-active',
    ],
  },
  {
    name: 'errors of the wrong type',
    toClient: edit('error', (event) => {
      errorOf(event).type = 'server_error';
    }),
    fails: ERROR_IDS,
  },
  {
    name: 'an event before session.created',
    toClient: (event) =>
      event.type === 'session.created'
        ? [
            {
              type: 'rate_limits.updated',
              event_id: 'event_conformance_fault',
              rate_limits: [{ name: 'requests', limit: 10, remaining: 9, reset_seconds: 60 }],
            },
            event,
          ]
        : [event],
    fails: ['session.created-first'],
  },
  {
    name: 'session.updated without the instructions',
    toClient: edit('session.updated', (event) => {
      sessionOf(event).instructions = '';
    }),
    fails: ['session.update-echo', 'session.update-merge'],
  },
  {
    name: 'an update with tools forgets the instructions',
    toClient: edit('session.updated', (event) => {
      const tools = sessionOf(event).tools;
      if (Array.isArray(tools) && tools.length > 0) sessionOf(event).instructions = '';
    }),
    fails: ['session.update-merge'],
  },
  {
    name: 'invalid instructions are dropped, the rest applied',
    toServer: (frame) => {
      if (!frame.includes('"instructions":42') && !frame.includes('"instructions":7')) return frame;
      const event = JSON.parse(frame) as Json;
      const session = event.session as Record<string, unknown> | undefined;
      if (event.type !== 'session.update' || typeof session?.instructions !== 'number')
        return frame;
      delete session.instructions;
      return JSON.stringify(event);
    },
    fails: ['session.update-refused-unchanged', 'error.session-wrong-type'],
  },
  {
    name: 'a user message done without its content',
    toClient: edit('conversation.item.done', (event) => {
      const item = event.item as Record<string, unknown>;
      if (item.role === 'user') item.content = [];
    }),
    fails: ['item.create'],
  },
  {
    name: 'items always added at the end',
    toClient: edit('conversation.item.added', (event) => {
      if (event.previous_item_id !== null) event.previous_item_id = null;
    }),
    fails: ['item.create-previous'],
  },
  {
    name: 'conversation.item.retrieve unanswered',
    toClient: drop('conversation.item.retrieved'),
    fails: ['item.retrieve'],
  },
  {
    name: 'conversation.item.deleted never sent',
    toClient: drop('conversation.item.deleted'),
    fails: ['item.delete'],
  },
  {
    name: 'conversation.item.truncated never sent',
    toClient: drop('conversation.item.truncated'),
    fails: ['item.truncate'],
  },
  {
    name: 'response.done without usage',
    toClient: edit('response.done', (event) => {
      responseOf(event).usage = null;
    }),
    fails: ['response.text'],
  },
  {
    name: 'the output format not echoed',
    toClient: edit('session.updated', (event) => {
      const audio = sessionOf(event).audio as { output?: { format?: unknown } } | undefined;
      if (audio?.output) audio.output.format = { type: 'audio/pcm', rate: 24_000 };
    }),
    fails: ['response.audio-pcmu', 'response.audio-pcma'],
  },
  {
    name: 'PCM audio cut mid-sample',
    toClient: edit('response.output_audio.delta', (event) => {
      const bytes = Buffer.from(String(event.delta), 'base64');
      event.delta = Buffer.concat([bytes, Buffer.from([0])]).toString('base64');
    }),
    fails: ['response.audio-pcm'],
  },
  {
    name: 'response metadata dropped',
    toClient: (event) => {
      if (event.type === 'response.created' || event.type === 'response.done') {
        responseOf(event).metadata = null;
      }
      return [event];
    },
    fails: ['response.out-of-band'],
  },
  {
    name: 'a response cut by max_output_tokens reported completed',
    toClient: edit('response.done', (event) => {
      if (responseOf(event).status === 'incomplete') {
        responseOf(event).status = 'completed';
        responseOf(event).status_details = null;
      }
    }),
    fails: ['response.max-output-tokens'],
  },
  {
    name: 'response.cancel ignored',
    toServer: (frame) => (frame.includes('"response.cancel"') ? undefined : frame),
    fails: ['response.cancel', 'error.cancel-none'],
  },
  {
    name: 'a commit without its item id',
    toClient: edit('input_audio_buffer.committed', (event) => {
      delete event.item_id;
    }),
    fails: ['input-audio.commit', 'input-audio.server-vad', 'transcription.input', 'events.spec'],
  },
  {
    name: 'input_audio_buffer.cleared never sent',
    toClient: drop('input_audio_buffer.cleared'),
    fails: ['input-audio.clear'],
  },
  {
    name: 'speech never stops',
    toClient: drop('input_audio_buffer.speech_stopped'),
    fails: ['input-audio.server-vad'],
  },
  {
    name: 'a barge-in reported as a client cancel',
    toClient: edit('response.done', (event) => {
      const details = responseOf(event).status_details as Record<string, unknown> | null;
      if (details?.reason === 'turn_detected') details.reason = 'client_cancelled';
    }),
    fails: ['input-audio.barge-in'],
  },
  {
    name: 'the idle timeout never fires',
    toClient: drop('input_audio_buffer.timeout_triggered'),
    fails: ['input-audio.idle-timeout'],
  },
  {
    name: 'transcriptions never complete',
    toClient: drop('conversation.item.input_audio_transcription.completed'),
    fails: ['transcription.input'],
  },
  {
    name: 'function arguments done unlike their deltas',
    toClient: edit('response.function_call_arguments.done', (event) => {
      event.arguments = '{}';
    }),
    fails: ['function.call', 'responses.order'],
  },
  {
    name: 'a function output never added',
    toClient: (event) =>
      event.type === 'conversation.item.added' &&
      (event.item as { type?: string }).type === 'function_call_output'
        ? []
        : [event],
    fails: ['function.output'],
  },
  {
    name: 'an event the spec does not have',
    toClient: (event) =>
      event.type === 'session.created'
        ? [event, { type: 'conformance.unknown', event_id: 'event_conformance_fault' }]
        : [event],
    fails: ['events.spec'],
  },
];

const relays: RelayServer[] = [];
let upstream: string;
let fastUpstream: string;

/** The relay on its simulator, at real-time pace or as fast as it can go. */
async function simulatorRelay(pace: 'realtime' | 'fast'): Promise<string> {
  const loaded = await loadRelayFromEnv(
    { PORT: '0', SHUTDOWN_TIMEOUT_MS: '1000', LOG_LEVEL: 'error', CALLS: 'off', SIM_PACE: pace },
    { write: () => {} },
  );
  if (!loaded.ok) throw new Error('bad config');
  const relay = await startRelayServer(loaded);
  relays.push(relay);
  return `${relay.url.replace(/^http/, 'ws')}/v1/realtime`;
}

beforeAll(async () => {
  upstream = await simulatorRelay('realtime');
  fastUpstream = await simulatorRelay('fast');
});
afterAll(async () => {
  for (const relay of relays) await relay.shutdown();
});

async function reportUnder(fault: Fault, to = upstream): Promise<ConformanceReport> {
  const proxy = await startFaultProxy(to, fault);
  try {
    return await runConformance({ url: proxy.url, timeoutMs: 10_000, concurrency: 6 });
  } finally {
    await proxy.close();
  }
}

const withStatus = (report: ConformanceReport, status: string) =>
  report.results
    .filter((result) => result.status === status)
    .map((result) => result.id)
    .sort();

describe('each fault makes exactly the expected checks fail', () => {
  it('every check is made to fail by at least one fault', () => {
    const covered = new Set(FAULTS.flatMap((fault) => fault.fails));
    expect(ALL_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  it.concurrent.each(FAULTS.map((fault) => [fault.name, fault] as const))(
    '%s',
    async (_name, fault) => {
      const report = await reportUnder(fault);
      // Failed, not skipped: a skip would hide that the check could not see the fault.
      expect(withStatus(report, 'failed')).toEqual([...fault.fails].sort());
      expect(withStatus(report, 'skipped')).toEqual([]);
    },
    180_000,
  );
});

describe('a server faster than its client', () => {
  it('fails no check; those that cannot see a cancel or a barge-in say so as skips', async () => {
    // Every response arrives in one burst once done, as from a server that generates faster
    // than a round trip: correct, but nothing can be cancelled or interrupted mid-way.
    const burst: Fault = {
      name: 'responses in one burst',
      toClient: (event, state) => {
        const held = (state.notes.get('burst') as Json[] | undefined) ?? [];
        if (event.type === 'response.created') {
          state.notes.set('burst', [event]);
          return [];
        }
        if (!state.notes.has('burst')) return [event];
        held.push(event);
        if (event.type !== 'response.done') return [];
        state.notes.delete('burst');
        return held;
      },
    };
    const report = await reportUnder(burst, fastUpstream);
    const failures = report.results
      .filter((result) => result.status === 'failed')
      .map((result) => `${result.id}: expected ${result.expected}; received ${result.received}`);
    expect(failures).toEqual([]);
    expect(withStatus(report, 'skipped')).toEqual(['input-audio.barge-in', 'response.cancel']);
    const cancel = report.results.find((result) => result.id === 'response.cancel');
    expect(cancel?.reason).toMatch(/finished before/);
  }, 180_000);
});
