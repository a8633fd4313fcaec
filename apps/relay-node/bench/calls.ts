/**
 * Calls benchmark: concurrent two-way WebRTC calls on the relay, for each WebRTC stack in one
 * run. The relay under test runs in a child process of its own (this file with `relay`:
 * loadRelayFromEnv and the app's startRelayServer, on the simulator, calls on), pinned to CPU 0
 * while this process, the callers, runs on the other CPUs, so its CPU time and its core are
 * its own. The callers are @roamhq/wrtc peer connections, each doing what a browser does: a
 * data channel `oai-events`, a live microphone track (48 kHz, 10 ms frames of a voice-like
 * buzz with noise, so Opus has work), the offer `POST`ed to /v1/realtime/calls, the answer set.
 * Once its channel opens a caller turns server VAD off (its microphone would end the turn) and
 * asks for a response, and for the next as the last is done and playing, so the reply track
 * carries the simulator's speech without a break. Calls are added one after another, level by
 * level (the calls of a level stay for the next), each level measured over a fixed window; the
 * climb stops at the first level with a gap, or once the relay's core or the callers' are
 * full. At the end every call commits its input, and the simulator says how much it heard.
 *
 * Prints, per stack and level: relay CPU per call-second and the calls per core it implies,
 * its CPU by thread, its event loop delay, the callers' CPU, gaps on the reply tracks while a
 * response played, and the time from `POST` to an open data channel. A gap is a concealment
 * event of the caller's jitter buffer (libwebrtc NetEq: audio it had to make up) or a lost
 * packet while a response played. Asserts nothing.
 *
 *   pnpm bench:calls
 *   BENCH_CALL_LEVELS=5,10,20 BENCH_CALL_SECONDS=10 pnpm bench:calls
 *   BENCH_CALL_STACKS=wrtc pnpm bench:calls        # one stack (wrtc, werift)
 *   BENCH_SIM_PACE=fast pnpm bench:calls           # the simulator's other pace
 *   BENCH_CALL_KEEP_GOING=1 pnpm bench:calls       # climb past gaps (CPU further up)
 *   BENCH_CALL_PIN=0 pnpm bench:calls              # relay and callers on every CPU
 *   BENCH_PROFILE=/tmp/prof pnpm bench:calls       # a CPU profile of each relay process
 *
 * The werift stack (bench/werift-stack.ts) is bench-only: werift + opusscript, to weigh a
 * stack in TypeScript against libwebrtc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const LEVELS = (process.env.BENCH_CALL_LEVELS ?? '5,10,20,30,40,60,80')
  .split(',')
  .map(Number)
  .filter((level) => level > 0);
const SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 12);
const STACKS = (process.env.BENCH_CALL_STACKS ?? 'wrtc,werift').split(',').filter(Boolean);
const PACE = process.env.BENCH_SIM_PACE ?? 'realtime';
/** Climb past a level with gaps (to see what calls cost further up); the machine still stops it. */
const KEEP_GOING = process.env.BENCH_CALL_KEEP_GOING === '1';
/** A directory for a CPU profile of each relay process (node --cpu-prof). */
const PROFILE = process.env.BENCH_PROFILE;
/** After the last call of a level opened, before its window: NetEq settles, the loop calms. */
const WARMUP_MS = 2000;
/**
 * Audio the relay sends at t plays at the caller about a jitter buffer later (40-60 ms here):
 * the playing interval a data channel event marks is shifted by this much.
 */
const PLAYOUT_SHIFT_MS = 80;
/**
 * A response that starts within this of the last one's stop continues the same interval: `stopped`
 * goes with the last frame sent, the next response's first frame takes the next 20 ms slot.
 */
const BACK_TO_BACK_MS = 45;
const OPEN_TIMEOUT_MS = 15_000;
/** Where a level stops the climb: more of both cores than this, the machine no longer keeps up. */
const SATURATED = 0.9;
/** A level window spoilt by other processes is measured again, this many times at most. */
const MAX_RETRIES = 2;
/** Other processes' share of the machine above which a window counts as spoilt. */
const OTHERS_BUSY = 0.25;
const PORTS: Record<string, string> = { wrtc: '41000-41999', werift: '42000-42999' };
/**
 * The relay on CPU 0 alone and the callers on the others (taskset), so "per core" is one core
 * and the callers' threads do not take the relay's; BENCH_CALL_PIN=0 leaves both unpinned.
 */
/** The machine's CPUs, counted before this process pins itself to some of them. */
const CPUS = availableParallelism();
const PIN = process.env.BENCH_CALL_PIN !== '0' && CPUS >= 2 && hasTaskset();
const CALLER_CPUS = CPUS - (PIN ? 1 : 0);
const CALLER_CPU_LIST = CPUS === 2 ? 'CPU 1' : `CPU 1-${CPUS - 1}`;

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// --- The relay under test (child mode) --------------------------------------------------------

async function relayChild(): Promise<void> {
  const { loadRelayFromEnv } = await import('@rtwire/node');
  const { startRelayServer } = await import('@rtwire/cli/relay');
  const stackName = process.env.BENCH_CALL_STACK ?? 'wrtc';
  // wrtc: as the app turns calls on (CALLS=on, CALL_PORTS). werift: the bench's own stack.
  const relay = await loadRelayFromEnv({
    ...process.env,
    CALLS: stackName === 'wrtc' ? 'on' : 'off',
  });
  if (!relay.ok) throw new Error(relay.errors.map((e) => `${e.variable}: ${e.message}`).join());
  let calls = relay.calls;
  if (stackName === 'werift') {
    const { createWeriftStack } = await import('./werift-stack.ts');
    const [min, max] = (process.env.CALL_PORTS ?? '42000-42999').split('-').map(Number);
    calls = await createWeriftStack({ portRange: { min: min ?? 42_000, max: max ?? 42_999 } });
  }
  if (calls === undefined) throw new Error(`no ${stackName} stack`);
  const server = await startRelayServer({ ...relay, calls });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('message', (message: { id: number; reset?: boolean }) => {
    const cpu = process.cpuUsage();
    process.send?.({
      id: message.id,
      cpuUs: cpu.user + cpu.system,
      loop: {
        p50: loop.percentile(50) / 1e6,
        p99: loop.percentile(99) / 1e6,
        max: loop.max / 1e6,
      },
      sessions: server.activeSessions,
      rss: process.memoryUsage.rss(),
    } satisfies RelaySample & { id: number });
    if (message.reset) loop.reset();
  });
  process.on('SIGTERM', () => void server.shutdown().then(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
  process.stdout.write(`listening on ${server.url}\n`);
}

interface RelaySample {
  readonly cpuUs: number;
  readonly loop: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly sessions: number;
  readonly rss: number;
}

interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  sample(reset?: boolean): Promise<RelaySample>;
  stop(): Promise<void>;
}

async function startRelay(stack: string): Promise<RelayProcess> {
  const appDir = fileURLToPath(new URL('..', import.meta.url));
  const node = [
    process.execPath,
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []),
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    'relay',
  ];
  // taskset execs node: the child's pid is the relay's.
  const command = PIN ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: appDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SIM_PACE: PACE,
      // The engine serves calls: an upstream set in the caller's environment would refuse them.
      UPSTREAM_URL: '',
      MAX_SESSIONS: '2000',
      CALL_PORTS: PORTS[stack] ?? '43000-43999',
      BENCH_CALL_STACK: stack,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`relay did not start: ${output.join('')}`)),
      30_000,
    );
    let head = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      head += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(head);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => reject(new Error(`relay exited: ${output.join('').slice(-2000)}`)));
  });
  let next = 0;
  const waiting = new Map<number, (sample: RelaySample) => void>();
  child.on('message', (message: RelaySample & { id: number }) => {
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  return {
    child,
    url,
    sample(reset = false) {
      const id = ++next;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ id, reset });
      });
    },
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// --- The callers: @roamhq/wrtc, typed here (its own types lean on the DOM lib) ---------------

interface DataChannel {
  readyState: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
}
interface Track {
  stop(): void;
}
interface InboundRtp {
  readonly concealedSamples: number;
  readonly silentConcealedSamples: number;
  readonly concealmentEvents: number;
  readonly totalSamplesReceived: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly jitterBufferDelay: number;
  readonly jitterBufferEmittedCount: number;
}
interface PeerConnection {
  readonly localDescription: { readonly sdp: string } | null;
  readonly connectionState: string;
  readonly iceGatheringState: string;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  onicecandidate: ((event: { candidate: { candidate: string } | null }) => void) | null;
  createDataChannel(label: string): DataChannel;
  addTrack(track: Track): void;
  createOffer(): Promise<{ type: 'offer'; sdp: string }>;
  setLocalDescription(description: { type: 'offer'; sdp: string }): Promise<void>;
  setRemoteDescription(description: { type: 'answer'; sdp: string }): Promise<void>;
  getStats(): Promise<{
    values(): Iterable<{ type: string; kind?: string } & Partial<InboundRtp>>;
  }>;
  close(): void;
}
interface AudioSource {
  createTrack(): Track;
  onData(data: {
    samples: Int16Array;
    sampleRate: number;
    bitsPerSample: number;
    channelCount: number;
    numberOfFrames: number;
  }): void;
}
interface Wrtc {
  readonly RTCPeerConnection: new (configuration: object) => PeerConnection;
  readonly nonstandard: { readonly RTCAudioSource: new () => AudioSource };
}

/** The callers' WebRTC, loaded in the bench process only (the relay child loads its own stack). */
let wrtc: Wrtc;

/** One second of the microphone: 100 frames of 10 ms at 48 kHz, looped. */
const MIC_FRAMES = Array.from({ length: 100 }, (_, frame) => {
  const samples = new Int16Array(480);
  let seed = frame * 7919 + 1;
  for (let index = 0; index < samples.length; index++) {
    const t = (frame * 480 + index) / 48_000;
    // A voice-like buzz (140 Hz and its harmonics) at syllable rate, over a little noise.
    const syllables = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    const voice =
      Math.sin(2 * Math.PI * 140 * t) +
      0.5 * Math.sin(2 * Math.PI * 280 * t) +
      0.25 * Math.sin(2 * Math.PI * 560 * t);
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    samples[index] = Math.round(1200 * syllables * voice + ((seed / 0x7fffffff) * 2 - 1) * 150);
  }
  return samples;
});

interface Delta {
  concealed: number;
  concealmentEvents: number;
  samples: number;
  packets: number;
  lost: number;
  durationMs: number;
}
const emptyDelta = (): Delta => ({
  concealed: 0,
  concealmentEvents: 0,
  samples: 0,
  packets: 0,
  lost: 0,
  durationMs: 0,
});

interface Snapshot {
  readonly at: number;
  readonly stats: InboundRtp | undefined;
}

interface Call {
  readonly index: number;
  readonly pc: PeerConnection;
  readonly dc: DataChannel;
  readonly source: AudioSource;
  readonly track: Track;
  /** From the start of the `POST`: its 201 read, the connection up (ICE, DTLS), the channel open. */
  readonly postMs: number;
  readonly connectedMs: number;
  readonly openMs: number;
  readonly openedAt: number;
  driving: boolean;
  responding: boolean;
  /** The track started the audio of the response last asked for. */
  heardSinceCreate: boolean;
  responses: number;
  errors: Map<string, number>;
  transcript: string;
  onEvent?: (event: { type: string; [key: string]: unknown }) => void;
  /** Shifted to the caller's playout: a response's audio is being heard now. */
  playing: boolean;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
  lastStoppedAt: number | undefined;
  /** Inside the measured window: the playing interval's start, and what was summed. */
  intervalStart: Promise<Snapshot> | undefined;
  pending: Promise<void>[];
  playingDelta: Delta;
  idleMs: number;
  idleCount: number;
  backToBack: number;
}

async function inbound(pc: PeerConnection): Promise<Snapshot> {
  const report = await pc.getStats();
  for (const stats of report.values()) {
    if (stats.type === 'inbound-rtp' && stats.kind === 'audio') {
      return { at: performance.now(), stats: stats as InboundRtp };
    }
  }
  return { at: performance.now(), stats: undefined };
}

function addDelta(into: Delta, from: Snapshot, to: Snapshot): void {
  const a = from.stats;
  const b = to.stats;
  into.durationMs += to.at - from.at;
  if (a === undefined || b === undefined) return;
  into.concealed += b.concealedSamples - a.concealedSamples;
  into.concealmentEvents += b.concealmentEvents - a.concealmentEvents;
  into.samples += b.totalSamplesReceived - a.totalSamplesReceived;
  into.packets += b.packetsReceived - a.packetsReceived;
  into.lost += b.packetsLost - a.packetsLost;
}

/** The measured window: playing intervals are summed only while it is open. */
let windowOpen = false;

function openInterval(call: Call): void {
  call.intervalStart = inbound(call.pc);
}

function closeInterval(call: Call): void {
  const start = call.intervalStart;
  if (start === undefined) return;
  call.intervalStart = undefined;
  call.pending.push(
    Promise.all([start, inbound(call.pc)]).then(([from, to]) =>
      addDelta(call.playingDelta, from, to),
    ),
  );
}

/**
 * Asks for the next response once the last one is done and its audio has started on the
 * track. At realtime pace the audio starts first and the next response comes with the last
 * one's `response.done`, while its last 100 ms play; at fast pace the whole response is done
 * before it starts playing, and waiting for its start keeps one response queued, not a pile.
 */
function nextResponse(call: Call): void {
  if (!call.driving || call.responding || !call.heardSinceCreate) return;
  call.responding = true;
  call.heardSinceCreate = false;
  call.dc.send('{"type":"response.create"}');
}

/** The events of a call's data channel that the bench acts on. */
function onCallEvent(call: Call, event: { type: string; [key: string]: unknown }): void {
  const now = performance.now();
  switch (event.type) {
    case 'response.done':
      call.responding = false;
      call.responses++;
      nextResponse(call);
      break;
    case 'output_audio_buffer.started':
      call.heardSinceCreate = true;
      nextResponse(call);
      if (call.lastStoppedAt !== undefined) {
        call.idleMs += now - call.lastStoppedAt;
        call.idleCount++;
      }
      if (
        call.closeTimer !== undefined &&
        call.lastStoppedAt !== undefined &&
        now - call.lastStoppedAt <= BACK_TO_BACK_MS
      ) {
        // The next response follows on: the interval goes on.
        clearTimeout(call.closeTimer);
        call.closeTimer = undefined;
        call.backToBack++;
        break;
      }
      setTimeout(() => {
        call.playing = true;
        if (windowOpen && call.intervalStart === undefined) openInterval(call);
      }, PLAYOUT_SHIFT_MS);
      break;
    case 'output_audio_buffer.stopped':
    case 'output_audio_buffer.cleared':
      call.lastStoppedAt = now;
      call.closeTimer = setTimeout(() => {
        call.closeTimer = undefined;
        call.playing = false;
        closeInterval(call);
      }, PLAYOUT_SHIFT_MS);
      break;
    case 'response.output_audio_transcript.delta':
      call.transcript += String(event.delta ?? '');
      break;
    case 'error': {
      const error = event.error as { code?: string; message?: string } | undefined;
      const key = error?.code ?? error?.message ?? 'error';
      call.errors.set(key, (call.errors.get(key) ?? 0) + 1);
      break;
    }
  }
  call.onEvent?.(event);
}

/** The microphones: one 10 ms frame per call every 10 ms, on one clock. */
const microphones = new Set<AudioSource>();
let micSkipped = 0;
function startMicrophones(): () => void {
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / 10);
    if (due - sent > 10) {
      // The bench fell behind by more than 100 ms: what is missed is not sent late.
      micSkipped += due - sent - 10;
      sent = due - 10;
    }
    for (; sent < due; sent++) {
      const samples = MIC_FRAMES[sent % MIC_FRAMES.length] as Int16Array;
      for (const source of microphones) {
        source.onData({
          samples,
          sampleRate: 48_000,
          bitsPerSample: 16,
          channelCount: 1,
          numberOfFrames: 480,
        });
      }
    }
  }, 5);
  return () => clearInterval(timer);
}

async function openCall(base: string, index: number): Promise<Call> {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const dc = pc.createDataChannel('oai-events');
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  pc.addTrack(track);
  // The microphone is live before the call is placed, as a browser's is.
  microphones.add(source);
  try {
    await pc.setLocalDescription(await pc.createOffer());
    let connectedAt: number | undefined;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') connectedAt ??= performance.now();
    };
    const posted = performance.now();
    const response = await fetch(`${base}/v1/realtime/calls`, {
      method: 'POST',
      body: pc.localDescription?.sdp,
      headers: { 'content-type': 'application/sdp' },
    });
    const answer = await response.text();
    const answered = performance.now();
    if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${answer}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await new Promise<void>((resolve, reject) => {
      if (dc.readyState === 'open') return resolve();
      const timer = setTimeout(
        () => reject(new Error(`channel not open after ${OPEN_TIMEOUT_MS} ms`)),
        OPEN_TIMEOUT_MS,
      );
      dc.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const openedAt = performance.now();
    const call: Call = {
      index,
      pc,
      dc,
      source,
      track,
      postMs: answered - posted,
      connectedMs: (connectedAt ?? openedAt) - posted,
      openMs: openedAt - posted,
      openedAt,
      driving: true,
      responding: true,
      heardSinceCreate: false,
      responses: 0,
      errors: new Map(),
      transcript: '',
      playing: false,
      closeTimer: undefined,
      lastStoppedAt: undefined,
      intervalStart: undefined,
      pending: [],
      playingDelta: emptyDelta(),
      idleMs: 0,
      idleCount: 0,
      backToBack: 0,
    };
    dc.onmessage = ({ data }) => {
      if (typeof data === 'string') onCallEvent(call, JSON.parse(data));
    };
    // Input audio must not end the turn (server VAD would hear the tone as speech): the
    // reply runs on, one response after another.
    dc.send(
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { turn_detection: null } } },
      }),
    );
    dc.send('{"type":"response.create"}');
    return call;
  } catch (error) {
    microphones.delete(source);
    track.stop();
    pc.close();
    throw error;
  }
}

function hangUp(call: Call): void {
  microphones.delete(call.source);
  if (call.closeTimer !== undefined) clearTimeout(call.closeTimer);
  call.driving = false;
  call.dc.onmessage = null;
  call.track.stop();
  call.pc.close();
}

// --- Measuring ---------------------------------------------------------------------------------

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LevelResult {
  readonly calls: number;
  /** The relay's CPU by thread name, in ms per call-second, most first. */
  readonly threads: (readonly [string, number])[];
  readonly callerThreads: (readonly [string, number])[];
  /** The callers' CPU, of the cores they run on. */
  readonly callersShare: number;
  /** Reply audio that reached the callers (RTP packets of 20 ms), of the window's call time. */
  readonly delivered: number;
  /** Whether the calls were served: the reply reached them and little was made up. */
  readonly healthy: boolean;
  readonly relayCpuMsPerCallSecond: number;
  readonly relayCoreShare: number;
  readonly benchCpuMsPerCallSecond: number;
  readonly machineShare: number;
  readonly loop: RelaySample['loop'];
  readonly benchLoopP99: number;
  readonly playing: Delta;
  readonly playingShare: number;
  readonly gapCalls: number;
  readonly whole: Delta;
  readonly idleMsPerGap: number;
  readonly responsesStarted: number;
  readonly backToBack: number;
  readonly openMs: number[];
  readonly failed: string[];
  readonly rssMiB: number;
  readonly micSkipped: number;
}

/** What other processes took of the machine in a window: all that was busy, less ours. */
function othersShare(result: LevelResult): number {
  const ours =
    (result.relayCoreShare + (result.benchCpuMsPerCallSecond * result.calls) / 1000) / CPUS;
  return Math.max(0, result.machineShare - ours);
}

/** CPU time of the whole machine that was busy, from /proc/stat (all cores). */
function machineBusy(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU ticks (1/100 s) of each of a process's threads, summed by thread name (Linux). */
function threadTicks(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d-]+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      byName.set(name, (byName.get(name) ?? 0) + ticks);
    } catch {
      // The thread ended while it was listed.
    }
  }
  return byName;
}

async function measureLevel(
  relay: RelayProcess,
  calls: Call[],
  opened: Call[],
  failed: string[],
): Promise<LevelResult> {
  await settle(WARMUP_MS);
  const benchLoop = monitorEventLoopDelay({ resolution: 5 });
  const skippedBefore = micSkipped;
  const relayBefore = await relay.sample(true);
  const benchBefore = process.cpuUsage();
  const machineBefore = machineBusy();
  const threadsBefore = threadTicks(relay.child.pid ?? 0);
  const callerThreadsBefore = threadTicks(process.pid);
  benchLoop.enable();
  windowOpen = true;
  const started = performance.now();
  const wholeStart = calls.map((call) => inbound(call.pc));
  for (const call of calls) {
    call.playingDelta = emptyDelta();
    call.pending = [];
    call.idleMs = 0;
    call.idleCount = 0;
    call.backToBack = 0;
    if (call.playing) openInterval(call);
  }
  const responsesBefore = calls.reduce((sum, call) => sum + call.responses, 0);
  await settle(SECONDS * 1000);
  windowOpen = false;
  const wholeEnd = calls.map((call) => inbound(call.pc));
  for (const call of calls) closeInterval(call);
  const elapsed = performance.now() - started;
  const relayAfter = await relay.sample();
  const bench = process.cpuUsage(benchBefore);
  const machineAfter = machineBusy();
  const threadsAfter = threadTicks(relay.child.pid ?? 0);
  const callerThreadsAfter = threadTicks(process.pid);
  benchLoop.disable();
  await Promise.all(calls.flatMap((call) => call.pending));
  const whole = emptyDelta();
  const ends = await Promise.all(wholeEnd);
  const starts = await Promise.all(wholeStart);
  for (const [index, start] of starts.entries()) {
    addDelta(whole, start, ends[index] as Snapshot);
  }
  const playing = emptyDelta();
  let gapCalls = 0;
  for (const call of calls) {
    const delta = call.playingDelta;
    if (delta.concealmentEvents > 0 || delta.lost > 0) gapCalls++;
    for (const key of Object.keys(delta) as (keyof Delta)[]) playing[key] += delta[key];
  }
  const callSeconds = (calls.length * elapsed) / 1000;
  const relayCpuMs = (relayAfter.cpuUs - relayBefore.cpuUs) / 1000;
  const benchCpuMs = (bench.user + bench.system) / 1000;
  const idleCount = calls.reduce((sum, call) => sum + call.idleCount, 0);
  const perCallSecond = (after: Map<string, number>, before: Map<string, number>) =>
    [...after]
      .map(
        ([name, ticks]) => [name, ((ticks - (before.get(name) ?? 0)) * 10) / callSeconds] as const,
      )
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1]);
  return {
    threads: perCallSecond(threadsAfter, threadsBefore),
    callerThreads: perCallSecond(callerThreadsAfter, callerThreadsBefore),
    callersShare: benchCpuMs / (CALLER_CPUS * elapsed),
    // Reply audio that reached the callers: 20 ms a packet, of the window's call time.
    delivered: (whole.packets * 20) / (calls.length * elapsed),
    healthy:
      (whole.packets * 20) / (calls.length * elapsed) >= 0.95 &&
      playing.concealed <= 0.01 * playing.samples,
    calls: calls.length,
    relayCpuMsPerCallSecond: relayCpuMs / callSeconds,
    relayCoreShare: relayCpuMs / elapsed,
    benchCpuMsPerCallSecond: benchCpuMs / callSeconds,
    machineShare:
      (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    loop: relayAfter.loop,
    benchLoopP99: benchLoop.percentile(99) / 1e6,
    playing,
    playingShare: playing.durationMs / (calls.length * elapsed),
    gapCalls,
    whole,
    idleMsPerGap:
      idleCount === 0 ? 0 : calls.reduce((sum, call) => sum + call.idleMs, 0) / idleCount,
    responsesStarted: calls.reduce((sum, call) => sum + call.responses, 0) - responsesBefore,
    backToBack: calls.reduce((sum, call) => sum + call.backToBack, 0),
    openMs: opened.map((call) => call.openMs),
    failed,
    rssMiB: relayAfter.rss / 2 ** 20,
    micSkipped: micSkipped - skippedBefore,
  };
}

/**
 * Stops the responses, then each call commits its input and asks for one more: the simulator
 * answers "I heard N ms of audio", which is what reached the engine of what was sent.
 */
async function checkInput(calls: Call[]): Promise<{ heard: number[]; missing: number }> {
  for (const call of calls) call.driving = false;
  const heard: number[] = [];
  let missing = 0;
  await Promise.all(
    calls.map(async (call) => {
      let deadline = Date.now() + 10_000;
      while (call.responding && Date.now() < deadline) await settle(50);
      if (call.responding) {
        // A relay that fell behind: the response still running is cancelled, not waited for.
        call.dc.send('{"type":"response.cancel"}');
        deadline = Date.now() + 5000;
        while (call.responding && Date.now() < deadline) await settle(50);
      }
      call.transcript = '';
      const sentMs = performance.now() - call.openedAt;
      const words = new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 15_000);
        call.onEvent = () => {
          const match = /I heard (\d+) ms of audio/.exec(call.transcript);
          if (match?.[1] === undefined) return;
          clearTimeout(timer);
          resolve(Number(match[1]));
        };
      });
      call.dc.send('{"type":"input_audio_buffer.commit"}');
      call.dc.send('{"type":"response.create"}');
      const ms = await words;
      call.onEvent = undefined;
      if (ms === undefined) missing++;
      else heard.push(ms / sentMs);
    }),
  );
  return { heard, missing };
}

// --- Reporting ---------------------------------------------------------------------------------

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const percent = (ratio: number, digits = 2) =>
  Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : '-';

function versionOf(name: string): string {
  try {
    const path = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

const STACK_NAMES: Record<string, string> = {
  wrtc: `wrtc (libwebrtc, @roamhq/wrtc ${versionOf('@roamhq/wrtc')}; the app's createWrtcStack)`,
  werift: `werift (TypeScript, werift ${versionOf('werift')} + opusscript ${versionOf('opusscript')} WASM; bench/werift-stack.ts)`,
};

const COLUMNS: [string, number][] = [
  ['calls', 5],
  ['relay CPU ms/call-s', 19],
  ['calls/core', 10],
  ['relay core', 10],
  ['relay loop p50/p99/max ms', 25],
  ['callers CPU ms/call-s', 21],
  ['callers/machine', 15],
  ['concealed (playing)', 19],
  ['gap calls', 9],
  ['lost', 5],
  ['POST->open ms p50/p95 (new calls)', 33],
];

function levelRow(result: LevelResult): string {
  const cells = [
    String(result.calls),
    fixed(result.relayCpuMsPerCallSecond, 2),
    fixed(1000 / result.relayCpuMsPerCallSecond, 0),
    percent(result.relayCoreShare, 0),
    `${fixed(result.loop.p50)}/${fixed(result.loop.p99)}/${fixed(result.loop.max)}`,
    fixed(result.benchCpuMsPerCallSecond, 2),
    `${percent(result.callersShare, 0)}/${percent(result.machineShare, 0)}`,
    percent(result.playing.concealed / result.playing.samples, 3),
    `${result.gapCalls}/${result.calls}`,
    String(result.playing.lost),
    result.openMs.length === 0
      ? '-'
      : `${fixed(quantile(result.openMs, 0.5), 0)}/${fixed(quantile(result.openMs, 0.95), 0)} (${result.openMs.length})`,
  ];
  return cells.map((cell, index) => cell.padEnd(COLUMNS[index]?.[1] ?? 0)).join('  ');
}

function detailRow(result: LevelResult): string {
  const failed =
    result.failed.length === 0 ? '' : `; ${result.failed.length} calls failed: ${result.failed[0]}`;
  const top = (threads: LevelResult['threads']) =>
    threads
      .slice(0, 6)
      .map(([name, ms]) => `${name} ${fixed(ms, 1)}`)
      .join(', ');
  return [
    `        relay CPU by thread, ms/call-s: ${top(result.threads)}`,
    `        callers CPU by thread, ms/call-s: ${top(result.callerThreads)}`,
    `        reply audio delivered ${percent(result.delivered, 1)} of call time, playing ${percent(result.playingShare, 0)}${result.healthy ? '' : ' (the relay fell behind: its CPU per call-second is no cost of a served call)'}; ${result.playing.concealmentEvents} concealment events while playing, ${result.whole.concealmentEvents} in the whole window (${percent(result.whole.concealed / result.whole.samples, 3)} concealed); ${result.responsesStarted} responses, ${result.backToBack} back to back, ${fixed(result.idleMsPerGap)} ms from one's stop to the next's start on average; callers' loop p99 ${fixed(result.benchLoopP99)} ms${result.micSkipped > 0 ? `, ${result.micSkipped} mic frames skipped` : ''}; relay RSS ${fixed(result.rssMiB, 0)} MiB${failed}`,
  ].join('\n');
}

interface StackRun {
  readonly stack: string;
  readonly levels: LevelResult[];
  readonly first: Call | undefined;
  readonly later: Call[];
  readonly stoppedBecause: string;
  readonly input: { heard: number[]; missing: number } | undefined;
  readonly errors: Map<string, number>;
}

async function runStack(stack: string): Promise<StackRun> {
  const relay = await startRelay(stack);
  const pid = relay.child.pid;
  console.log(
    `\n${STACK_NAMES[stack] ?? stack}: relay pid ${pid} at ${relay.url}, SIM_PACE=${PACE}`,
  );
  console.log(COLUMNS.map(([name, width]) => name.padEnd(width)).join('  '));
  const calls: Call[] = [];
  const levels: LevelResult[] = [];
  let first: Call | undefined;
  const later: Call[] = [];
  let stoppedBecause = `the last level (${LEVELS.at(-1)}) was reached`;
  const errors = new Map<string, number>();
  let input: StackRun['input'];
  try {
    for (const level of LEVELS) {
      const opened: Call[] = [];
      const failed: string[] = [];
      // One call after another, as callers arrive: each is timed with the others running.
      while (calls.length + failed.length < level) {
        try {
          const call = await openCall(relay.url, calls.length);
          calls.push(call);
          opened.push(call);
          if (first === undefined) first = call;
          else later.push(call);
        } catch (error) {
          failed.push(error instanceof Error ? error.message : String(error));
          if (failed.length >= 3) break;
        }
      }
      let result = await measureLevel(
        relay,
        calls,
        opened.filter((call) => call !== first),
        failed,
      );
      // The machine is shared: a window in which other processes took much of it and the
      // level went wrong is measured again (twice at most), and every window is printed.
      for (let retry = 1; retry <= MAX_RETRIES && othersShare(result) > OTHERS_BUSY; retry++) {
        if (result.gapCalls === 0 && result.machineShare <= 0.97) break;
        console.log(levelRow(result));
        console.log(
          `        ^ measured again: other processes used ${percent(othersShare(result), 0)} of the machine in this window`,
        );
        result = await measureLevel(relay, calls, [], failed);
        result = {
          ...result,
          openMs: opened.filter((call) => call !== first).map((c) => c.openMs),
        };
      }
      levels.push(result);
      console.log(levelRow(result));
      console.log(detailRow(result));
      if (failed.length > 0) {
        stoppedBecause = `calls failed to open at ${level}`;
        break;
      }
      if (result.gapCalls > 0 && !KEEP_GOING) {
        stoppedBecause = `gaps in the reply track at ${calls.length} calls`;
        break;
      }
      if (
        (PIN && result.relayCoreShare > SATURATED) ||
        result.callersShare > SATURATED ||
        result.machineShare > 0.97
      ) {
        stoppedBecause = `the machine no longer kept up at ${calls.length} calls: the relay used ${percent(result.relayCoreShare, 0)} of a core, the callers ${percent(result.callersShare, 0)} of theirs, the machine was ${percent(result.machineShare, 0)} busy`;
        break;
      }
    }
    if (calls.length > 0) input = await checkInput(calls);
  } finally {
    for (const call of calls) {
      for (const [key, count] of call.errors) errors.set(key, (errors.get(key) ?? 0) + count);
      hangUp(call);
    }
    const deadline = Date.now() + 15_000;
    while ((await relay.sample()).sessions > 0 && Date.now() < deadline) await settle(100);
    await relay.stop();
  }
  return {
    stack,
    levels,
    first,
    later,
    stoppedBecause,
    input,
    errors,
  };
}

function summary(run: StackRun): string[] {
  const levels = run.levels;
  const clean = levels.filter((level) => level.gapCalls === 0 && level.failed.length === 0);
  const best = clean.at(-1);
  const served = levels.filter((level) => level.healthy).at(-1);
  const perCore = (level: LevelResult | undefined) =>
    level === undefined ? Number.NaN : 1000 / level.relayCpuMsPerCallSecond;
  const open = run.later.map((call) => call.openMs);
  const open50 = quantile(open, 0.5);
  const open95 = quantile(open, 0.95);
  const phase = (pick: (call: Call) => number) => fixed(quantile(run.later.map(pick), 0.5), 0);
  const first = run.first;
  const verdict = (met: boolean) => (met ? 'MET' : 'MISSED');
  const lines = [
    `${run.stack}:`,
    `  calls per core (relay process CPU time): ${fixed(perCore(best), 0)} at ${best?.calls ?? 0} calls, the most with no gap (${fixed(best?.relayCpuMsPerCallSecond ?? Number.NaN, 2)} ms per call-second)${served !== undefined && served !== best ? `; ${fixed(perCore(served), 0)} at ${served.calls} calls, the most served (reply audio delivered >= 95% of the call time, <= 1% concealed; ${fixed(served.relayCpuMsPerCallSecond, 2)} ms per call-second)` : ''} (goal >= 40) ${verdict(Math.max(...[perCore(best), perCore(served)].filter(Number.isFinite)) >= 40)}`,
    `  climb stopped: ${run.stoppedBecause}`,
    `  POST -> open channel: first call ${fixed(first?.openMs ?? Number.NaN, 0)} ms; later calls p50 ${fixed(open50, 0)} ms, p95 ${fixed(open95, 0)} ms, max ${fixed(Math.max(...open), 0)} ms over ${open.length} calls, each placed while the calls before it ran (goal <= 150) ${open95 <= 150 ? 'MET at p95' : open50 <= 150 ? 'MET at p50, MISSED at p95' : 'MISSED'}`,
    `    p50 of the later calls' steps, from the POST: 201 read ${phase((call) => call.postMs)} ms (the relay's answer), connected ${phase((call) => call.connectedMs)} ms (ICE, DTLS), channel open ${phase((call) => call.openMs)} ms (SCTP, DCEP)`,
    `  gaps while a response played, calls with one per level: ${levels.map((level) => `${level.gapCalls}/${level.calls}`).join(', ')} (goal: none) ${verdict(levels.every((level) => level.gapCalls === 0))}`,
  ];
  const input = run.input;
  if (input !== undefined) {
    lines.push(
      `  input audio heard by the engine, of what each caller sent since its channel opened: min ${percent(Math.min(...input.heard), 1)}, median ${percent(quantile(input.heard, 0.5), 1)} over ${input.heard.length} calls${input.missing > 0 ? `; ${input.missing} calls got no answer` : ''}`,
    );
  }
  if (run.errors.size > 0) {
    lines.push(
      `  error events on the channels: ${[...run.errors].map(([key, count]) => `${key} x${count}`).join(', ')}`,
    );
  }
  return lines;
}

/**
 * How long libwebrtc takes here to gather host candidates for a new peer connection: the
 * wrtc stack's answer waits until gathering is complete, so this is a floor of its `POST`.
 */
async function gatheringFloor(): Promise<{ firstMs: number; completeMs: number }> {
  const firsts: number[] = [];
  const completes: number[] = [];
  for (let round = 0; round < 5; round++) {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    pc.createDataChannel('oai-events');
    const started = performance.now();
    let first: number | undefined;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate !== null) first ??= performance.now() - started;
    };
    const complete = new Promise<number>((resolve) => {
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') resolve(performance.now() - started);
      };
    });
    await pc.setLocalDescription(await pc.createOffer());
    completes.push(await complete);
    firsts.push(first ?? Number.NaN);
    pc.close();
  }
  return { firstMs: quantile(firsts, 0.5), completeMs: quantile(completes, 0.5) };
}

async function main(): Promise<void> {
  if (PIN) {
    // Every thread of this process, and so every thread libwebrtc starts here later.
    execFileSync(
      'taskset',
      ['-a', '-p', '-c', CALLER_CPU_LIST.replace('CPU ', ''), String(process.pid)],
      {
        stdio: 'ignore',
      },
    );
  }
  const loaded = (await import('@roamhq/wrtc')) as unknown as { default?: Wrtc } & Wrtc;
  wrtc = loaded.default ?? loaded;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `calls benchmark: levels ${LEVELS.join(', ')} (calls added, one after another, while there are no gaps and the machine keeps up), ${SECONDS} s measured per level after ${WARMUP_MS} ms settling; ${CPUS} CPUs (${cpu}); Node ${process.version}`,
  );
  console.log(
    'each call: data channel oai-events, a 48 kHz mic track (10 ms frames, a voice-like buzz), server VAD off, the next response.create once the last response is done and its audio started (the simulator speaks without a break)',
  );
  console.log(
    `"relay" figures are the relay child process alone (its CPU time, all its threads, from process.cpuUsage; "relay core": of one core), ${PIN ? `pinned to CPU 0, the callers to ${CALLER_CPU_LIST} (taskset)` : 'not pinned'}; "callers" are this process (@roamhq/wrtc peer connections): "callers/machine" is their CPU of their cores, then all that was busy on the machine (/proc/stat: other tenants too)`,
  );
  console.log(
    `gap: a concealment event (libwebrtc NetEq expand, inbound-rtp concealmentEvents) or a lost packet on a call's reply track while a response played: from ${PLAYOUT_SHIFT_MS} ms after output_audio_buffer.started to ${PLAYOUT_SHIFT_MS} ms after .stopped (the jitter buffer's delay), a response starting within ${BACK_TO_BACK_MS} ms of the last one's stop continuing the interval; "concealed" is concealed samples / samples played in those intervals`,
  );
  console.log(
    `the machine is shared: a window in which other processes took more than ${percent(OTHERS_BUSY, 0)} of it and a call had a gap (or the machine was full) is measured again, ${MAX_RETRIES} times at most; "calls/core" is 1000 / relay CPU ms per call-second`,
  );
  const floor = await gatheringFloor();
  console.log(
    `libwebrtc on this machine: first host candidate after ${fixed(floor.firstMs, 0)} ms, gathering complete after ${fixed(floor.completeMs, 0)} ms (median of 5 peer connections): the wrtc stack's answer goes at its first UDP candidate on the call address, before complete`,
  );
  const stopMicrophones = startMicrophones();
  const runs: StackRun[] = [];
  const notMeasured: string[] = [];
  try {
    for (const stack of STACKS) {
      try {
        const run = await runStack(stack);
        if (run.levels.length === 0) notMeasured.push(`${stack}: ${run.stoppedBecause}`);
        else runs.push(run);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        notMeasured.push(`${stack}: ${reason}`);
        console.log(`the ${stack} stack was not measured: ${reason}`);
      }
    }
  } finally {
    stopMicrophones();
  }
  console.log(
    '\nsummary (goals: >= 40 calls per core, <= 150 ms POST -> open after the first call, no gaps)',
  );
  for (const run of runs) console.log(summary(run).join('\n'));
  for (const line of notMeasured) console.log(`not measured: ${line}`);
}

if (process.argv[2] === 'relay') {
  await relayChild();
} else {
  await main();
  // @roamhq/wrtc crashes (SIGSEGV) when the process ends by itself after peer connections were
  // made; an explicit exit does not.
  process.exit(0);
}
