/** Where a connection's incoming bytes stand between WebSocket message boundaries. */
export interface MessageTracker {
  /** Reads the next bytes off the connection; true when at least one message ended in them. */
  feed(chunk: Uint8Array): boolean;
  /** Whether a message (or a frame of any kind) has begun and not yet ended. */
  readonly inMessage: boolean;
  /** Payload bytes of the message that has begun, all its fragments so far. */
  readonly messageBytes: number;
}

const MAX_HEADER = 14;

/**
 * Follows the frame headers of a WebSocket byte stream (RFC 6455 §5.2) without decoding any
 * payload, to tell when a message has begun and whether it has ended. `ws` assembles
 * messages but says nothing until one is whole, so this is how the relay puts a deadline on
 * a message that arrives a byte a minute or stops half way, and counts what it holds.
 * Control frames may come between fragments and do not end a message.
 *
 * @example
 * ```ts
 * const tracker = createMessageTracker();
 * socket.on('data', (chunk) => {
 *   tracker.feed(chunk);
 *   if (tracker.inMessage) armDeadline();
 * });
 * ```
 */
export function createMessageTracker(): MessageTracker {
  const header = new Uint8Array(MAX_HEADER);
  let headerLength = 0;
  let headerNeeded = 2;
  let payloadLeft = 0;
  let frameIsControl = false;
  let frameIsFinal = false;
  let fragmented = false;
  let messageBytes = 0;

  /** Returns true when the frame that just ended finished a message. */
  const endFrame = (): boolean => {
    if (frameIsControl) return false;
    if (!frameIsFinal) {
      fragmented = true;
      return false;
    }
    fragmented = false;
    messageBytes = 0;
    return true;
  };

  const readHeader = (): boolean => {
    const opcode = (header[0] as number) & 0x0f;
    frameIsFinal = ((header[0] as number) & 0x80) !== 0;
    frameIsControl = opcode >= 8;
    const short = (header[1] as number) & 0x7f;
    const view = new DataView(header.buffer, 0, headerLength);
    payloadLeft =
      short === 126 ? view.getUint16(2) : short === 127 ? Number(view.getBigUint64(2)) : short;
    headerLength = 0;
    headerNeeded = 2;
    return payloadLeft === 0 ? endFrame() : false;
  };

  return {
    feed(chunk) {
      let ended = false;
      let index = 0;
      while (index < chunk.length) {
        if (payloadLeft > 0) {
          const take = Math.min(payloadLeft, chunk.length - index);
          payloadLeft -= take;
          index += take;
          if (!frameIsControl) messageBytes += take;
          if (payloadLeft === 0 && endFrame()) ended = true;
          continue;
        }
        header[headerLength++] = chunk[index++] as number;
        if (headerLength === 2) {
          const short = (header[1] as number) & 0x7f;
          const masked = ((header[1] as number) & 0x80) !== 0;
          headerNeeded = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (masked ? 4 : 0);
        }
        if (headerLength === headerNeeded && readHeader()) ended = true;
      }
      return ended;
    },
    get inMessage() {
      return fragmented || headerLength > 0 || payloadLeft > 0;
    },
    get messageBytes() {
      return messageBytes;
    },
  };
}
