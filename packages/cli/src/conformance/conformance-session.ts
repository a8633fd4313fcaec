import WebSocket from 'ws';
import { CheckFailure } from './check-outcomes.ts';
import { clipType } from './excerpt.ts';
import type { ServerEvent } from './server-event.ts';

/** Where and how to connect to the server under test. */
export interface ConformanceTarget {
  /** The `ws://` or `wss://` Realtime endpoint. */
  readonly url: string;
  /** Sent as `Authorization: Bearer …`. */
  readonly apiKey?: string | undefined;
  /** Added as `?model=` when the URL has none. */
  readonly model?: string | undefined;
  /** More handshake headers (`--header`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** What a wait looks for: an event type, or a test of the event. */
export type EventMatch = string | ((event: ServerEvent) => boolean);

/** What a match tests: an event type is a test of `type`. */
const testOf = (match: EventMatch) =>
  typeof match === 'string' ? (event: ServerEvent) => event.type === match : match;

/** Frames a session keeps: bounds what a server that floods a check can make the suite hold. */
const MAX_EVENTS = 20_000;
/** Bytes of frames a session keeps, for the same reason. */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;
/** Malformed frames described one by one; the rest are counted. */
const MAX_MALFORMED = 20;
/** The largest frame accepted; the spec's events are far smaller. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * One connection to the server under test, recording every event it sends. Waits are
 * positional: {@link send} returns the position of the next event, and {@link waitFor} looks
 * from a position on, so an event that came before the wait began is still found.
 *
 * @example
 * ```ts
 * const session = await ConformanceSession.open(target, 10_000);
 * const mark = session.send({ type: 'conversation.item.retrieve', item_id: 'item_1' });
 * const retrieved = await session.waitFor(mark, 'conversation.item.retrieved');
 * ```
 */
export class ConformanceSession {
  readonly events: ServerEvent[] = [];
  /** `performance.now()` when each event arrived. */
  readonly #arrivals: number[] = [];
  readonly malformed: string[] = [];
  readonly #socket: WebSocket;
  readonly #timeoutMs: number;
  #waiters = new Set<() => void>();
  #closed: string | undefined;
  #keptBytes = 0;
  #frames = 0;
  #malformedCount = 0;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary));
    socket.on('close', (code) => {
      this.#closed = `the server closed the connection (${code})`;
      this.#wake();
    });
    socket.on('error', () => {
      this.#closed ??= 'the connection failed';
      this.#wake();
    });
  }

  /**
   * Connects and resolves once the socket is open (not waiting for any event).
   *
   * @example
   * ```ts
   * const session = await ConformanceSession.open({ url: 'ws://127.0.0.1:8787/v1/realtime' }, 10_000);
   * ```
   */
  static open(target: ConformanceTarget, timeoutMs: number): Promise<ConformanceSession> {
    const url = new URL(target.url);
    if (target.model !== undefined && !url.searchParams.has('model')) {
      url.searchParams.set('model', target.model);
    }
    const headers: Record<string, string> = { ...target.headers };
    if (target.apiKey !== undefined) headers.authorization = `Bearer ${target.apiKey}`;
    const socket = new WebSocket(url, {
      headers,
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_FRAME_BYTES,
    });
    const session = new ConformanceSession(socket, timeoutMs);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(session));
      socket.once('unexpected-response', (_request, response) => {
        reject(
          new CheckFailure({
            expected: 'a WebSocket upgrade',
            received: `HTTP ${response.statusCode}`,
          }),
        );
        socket.terminate();
      });
      socket.once('error', (error) =>
        reject(new CheckFailure({ expected: 'a connection', received: error.message })),
      );
    });
  }

  /** The position the next event will have. */
  get position(): number {
    return this.events.length;
  }

  /**
   * Sends a client event (an object, sent as JSON text, or a raw text frame) and returns the
   * position of the next server event.
   *
   * @example
   * ```ts
   * const mark = session.send({ type: 'input_audio_buffer.clear' });
   * ```
   */
  send(event: object | string): number {
    const mark = this.events.length;
    if (this.#closed === undefined) {
      this.#socket.send(typeof event === 'string' ? event : JSON.stringify(event));
    }
    return mark;
  }

  /**
   * The first event at or after `from` that matches, waiting up to the timeout for it.
   *
   * @example
   * ```ts
   * const done = await session.waitFor(mark, (event) => event.type === 'response.done');
   * ```
   */
  async waitFor(
    from: number,
    match: EventMatch,
    what?: string,
    timeoutMs = this.#timeoutMs,
  ): Promise<ServerEvent> {
    const test = testOf(match);
    const description = what ?? (typeof match === 'string' ? match : 'the expected event');
    const deadline = Date.now() + timeoutMs;
    let index = from;
    for (;;) {
      for (; index < this.events.length; index++) {
        const event = this.events[index] as ServerEvent;
        if (test(event)) return event;
      }
      const left = deadline - Date.now();
      if (this.#closed !== undefined || left <= 0) {
        throw new CheckFailure({
          expected: `${description}${this.#closed === undefined ? ` within ${timeoutMs} ms` : ''}`,
          received: this.#closed ?? `no such event; the last ones: ${this.#recentTypes(from)}`,
        });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const waiters = this.#waiters;
        function wake() {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  /**
   * The events from `from` on, up to `to` (exclusive) when given.
   *
   * @example
   * ```ts
   * const deltas = session.since(mark).filter((event) => event.type.endsWith('.delta'));
   * ```
   */
  since(from: number, to?: number): ServerEvent[] {
    return this.events.slice(from, to);
  }

  /**
   * When the first event at or after `from` that matches arrived (`performance.now()`).
   *
   * @example
   * ```ts
   * const at = session.receivedAt(mark, 'response.output_text.delta');
   * ```
   */
  receivedAt(from: number, match: EventMatch): number | undefined {
    const test = testOf(match);
    for (let index = from; index < this.events.length; index++) {
      if (test(this.events[index] as ServerEvent)) return this.#arrivals[index];
    }
    return undefined;
  }

  /**
   * Closes the connection.
   *
   * @example
   * ```ts
   * session.close();
   * ```
   */
  close(): void {
    this.#closed ??= 'the suite closed the connection';
    this.#socket.close(1000);
    // A server that never answers the close must not hold the run open.
    setTimeout(() => this.#socket.terminate(), 2_000).unref();
    this.#wake();
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    const text = String(data);
    this.#keptBytes += text.length;
    this.#frames += 1;
    if (this.#frames > MAX_EVENTS || this.#keptBytes > MAX_KEPT_BYTES) {
      if (this.#closed === undefined) {
        this.#malformed(
          'more frames than a session keeps (20,000 or 16 MiB); the rest were dropped',
        );
        this.close();
      }
      return;
    }
    if (isBinary) {
      this.#malformed(`a binary frame of ${text.length} bytes (events are text frames)`);
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      this.#malformed(`a text frame of ${text.length} characters that is not JSON`);
      return;
    }
    if (
      typeof event !== 'object' ||
      event === null ||
      Array.isArray(event) ||
      typeof (event as { type?: unknown }).type !== 'string'
    ) {
      // Its kind and size only: a frame that is not an event may be anything, a transcript too.
      const kind = Array.isArray(event)
        ? 'an array'
        : event === null
          ? 'null'
          : `a ${typeof event}`;
      this.#malformed(`${kind} of ${text.length} characters, not an event with a string "type"`);
      return;
    }
    this.events.push(event as ServerEvent);
    this.#arrivals.push(performance.now());
    this.#wake();
  }

  #malformed(what: string): void {
    this.#malformedCount += 1;
    if (this.#malformedCount <= MAX_MALFORMED) this.malformed.push(what);
    else if (this.#malformedCount === MAX_MALFORMED + 1)
      this.malformed.push('and more malformed frames');
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #recentTypes(from: number): string {
    const recent = this.events
      .slice(Math.max(from, this.events.length - 6))
      .map((event) => clipType(event.type));
    return recent.length === 0 ? 'none' : recent.join(', ');
  }
}
