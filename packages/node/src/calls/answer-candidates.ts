/**
 * The answer with only the ICE candidates a call may use: UDP host candidates on `address`
 * (all of them when `address` is `undefined`). libwebrtc gathers on every interface, TCP too;
 * the answer is what the browser connects to, so it alone decides where the call's media goes.
 *
 * @example
 * ```ts
 * const sdp = keepCandidatesOn(pc.localDescription.sdp, '127.0.0.1');
 * ```
 */
export function keepCandidatesOn(sdp: string, address: string | undefined): string {
  const newline = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(newline)
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
      const fields = line.split(' ');
      if (fields[2]?.toLowerCase() !== 'udp') return false;
      return address === undefined || sameAddress(fields[4] ?? '', address);
    })
    .join(newline);
}

/**
 * Whether an answer still offers the browser somewhere to connect.
 *
 * @example
 * ```ts
 * if (!hasCandidates(sdp)) throw new Error('no candidate on the call address');
 * ```
 */
export function hasCandidates(sdp: string): boolean {
  return /^a=candidate:/m.test(sdp);
}

/** IPv6 addresses compare without case or brackets (`[::1]` is `::1`). */
function sameAddress(candidate: string, address: string): boolean {
  const bare = (value: string) => value.replace(/^\[|\]$/g, '').toLowerCase();
  return bare(candidate) === bare(address);
}
