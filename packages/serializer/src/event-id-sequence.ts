import { quoteJsonString } from './engine/escape-json-string.ts';
import { jsonFragmentBytes } from './engine/utf8-writer.ts';

/** Decimal digits of the largest counter a sequence reaches (`Number.MAX_SAFE_INTEGER`). */
const MAX_DIGITS = 16;

/**
 * Event ids `prefix0`, `prefix1`, … that an encoder writes straight into the frame it makes.
 *
 * Give a sequence where a method takes an event id and the frame gets the sequence's next id:
 * the counter's digits are written after the prefix's bytes (encoded once), with no string
 * made, joined and scanned per frame. That is a sixth of what a streamed text delta costs to
 * encode. {@link next} takes an id as a string from the same counter, for what builds events
 * as objects, so the ids of one session stay unique whichever way each frame is made.
 *
 * @example
 * ```ts
 * const ids = new EventIdSequence('event_rt4k2x9q_');
 * const content = encoderFor(new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0));
 * ws.send(content.outputTextDeltaBytes(ids, 'Hel'), { binary: false }); // "event_id":"event_rt4k2x9q_0"
 * ServerEvents.responseDone(ids.next(), response); // "event_rt4k2x9q_1"
 * ```
 */
export class EventIdSequence {
  /** What every id of the sequence starts with. */
  readonly prefix: string;
  readonly #quotedPrefix: string;
  /**
   * The JSON of the next id, quotes included, with room for the counter to grow to its most
   * digits: `"prefix` then {@link #digits} digits then `"` from {@link #start}. Taking an id
   * adds one to the digits in place (an odometer), so no number is ever formatted.
   */
  #json: Uint8Array;
  #digitsAt: number;
  #digits = 1;
  #counter: number;

  /**
   * @param prefix What every id starts with; make it unique per session (a random stem), as
   *   ids must not repeat across a server's sessions.
   */
  constructor(prefix: string) {
    if (typeof prefix !== 'string') throw new TypeError('EventIdSequence: prefix must be a string');
    this.prefix = prefix;
    this.#counter = 0;
    this.#quotedPrefix = quoteJsonString(prefix).slice(0, -1);
    const head = jsonFragmentBytes(this.#quotedPrefix);
    this.#digitsAt = head.length;
    this.#json = new Uint8Array(head.length + MAX_DIGITS + 1);
    this.#json.set(head);
    this.#json[this.#digitsAt] = 0x30;
    this.#json[this.#digitsAt + 1] = 0x22;
  }

  /** Takes the next id as a string. */
  next(): string {
    const id = this.prefix + this.#counter;
    this.#advance();
    return id;
  }

  /** The id {@link next} would return, without taking it. */
  peek(): string {
    return this.prefix + this.#counter;
  }

  /** @internal The JSON of the next id, taken (text frames). */
  nextJson(): string {
    const json = `${this.#quotedPrefix}${this.#counter}"`;
    this.#advance();
    return json;
  }

  /** @internal The most bytes {@link writeNext} writes. */
  get maxJsonBytes(): number {
    return this.#json.length;
  }

  /**
   * @internal Writes the JSON string of the next id (quotes included) at `position`, which has
   * {@link maxJsonBytes} free bytes, takes it, and returns the position after it.
   */
  writeNext(target: Uint8Array, position: number): number {
    const json = this.#json;
    const end = this.#digitsAt + this.#digits + 1;
    for (let index = 0; index < end; index++) target[position++] = json[index] as number;
    this.#advance();
    return position;
  }

  /**
   * @internal The bytes of every id's JSON before its digits (`"` and the prefix), for a
   * writer that keeps them joined to the constant bytes around the id and then writes only
   * {@link writeDigits}. A view of this sequence's own bytes: copy it, never write into it.
   */
  get jsonHead(): Uint8Array {
    return this.#json.subarray(0, this.#digitsAt);
  }

  /** @internal How many digits the next id has: {@link writeDigits} writes one byte more. */
  get digitCount(): number {
    return this.#digits;
  }

  /**
   * @internal Writes the rest of the next id's JSON after {@link jsonHead} (its
   * {@link digitCount} digits and the closing quote) at `position`, takes the id, and returns
   * the position after it.
   */
  writeDigits(target: Uint8Array, position: number): number {
    const json = this.#json;
    const end = this.#digitsAt + this.#digits + 1;
    for (let index = this.#digitsAt; index < end; index++)
      target[position++] = json[index] as number;
    this.#advance();
    return position;
  }

  /** Adds one to the counter and to its digits. */
  #advance(): void {
    if (this.#counter >= Number.MAX_SAFE_INTEGER) {
      throw new RangeError('EventIdSequence: the counter reached Number.MAX_SAFE_INTEGER');
    }
    this.#counter++;
    const json = this.#json;
    const first = this.#digitsAt;
    let at = first + this.#digits - 1;
    while (at >= first && json[at] === 0x39) json[at--] = 0x30;
    if (at >= first) {
      json[at] = (json[at] as number) + 1;
      return;
    }
    // 9…9 became 0…0: one more digit, a leading 1.
    json[first] = 0x31;
    json[first + this.#digits] = 0x30;
    this.#digits++;
    json[first + this.#digits] = 0x22;
  }
}

/**
 * An event id as the encoders take it: a string, or a sequence whose next id the frame gets.
 *
 * @example
 * ```ts
 * const id: EventId = Math.random() < 0.5 ? 'event_1' : new EventIdSequence('event_');
 * ```
 */
export type EventId = string | EventIdSequence;
