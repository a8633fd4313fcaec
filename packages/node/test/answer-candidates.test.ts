import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCandidates, keepCandidatesOn } from '../src/calls/answer-candidates.ts';

const ANSWER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:1 1 udp 2122265343 fd00::2 53491 typ host generation 0 network-id 2',
  'a=candidate:2 1 udp 2122194687 192.0.2.2 34948 typ host generation 0 network-id 1',
  'a=candidate:3 1 UDP 2122136831 ::1 60203 typ host generation 0 network-id 4',
  'a=candidate:4 1 udp 2122063615 127.0.0.1 37287 typ host generation 0 network-id 3',
  'a=candidate:5 1 tcp 1518214911 192.0.2.2 46813 typ host tcptype passive generation 0',
  'a=candidate:6 1 tcp 1518083839 127.0.0.1 60183 typ host tcptype passive generation 0',
  'a=end-of-candidates',
  '',
].join('\r\n');

const candidates = (sdp: string) => sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));

describe('keepCandidatesOn', () => {
  it('keeps the UDP candidates on the call address, and every other line as it was', () => {
    const kept = keepCandidatesOn(ANSWER, '127.0.0.1');
    expect(candidates(kept)).toEqual([
      'a=candidate:4 1 udp 2122063615 127.0.0.1 37287 typ host generation 0 network-id 3',
    ]);
    const others = (sdp: string) => sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:'));
    expect(others(kept)).toEqual(others(ANSWER));
    expect(candidates(keepCandidatesOn(ANSWER, '[::1]'))).toHaveLength(1);
    expect(hasCandidates(keepCandidatesOn(ANSWER, '10.9.9.9'))).toBe(false);
  });

  it('without an address, keeps every UDP candidate and drops TCP ones', () => {
    const kept = candidates(keepCandidatesOn(ANSWER, undefined));
    expect(kept.map((line) => line.split(' ')[4])).toEqual([
      'fd00::2',
      '192.0.2.2',
      '::1',
      '127.0.0.1',
    ]);
  });

  it('never adds a line, and keeps a candidate only if it is UDP on the address', () => {
    const line = fc
      .tuple(fc.constantFrom('udp', 'UDP', 'tcp'), fc.constantFrom('127.0.0.1', '192.0.2.2', '::1'))
      .map(([transport, address]) => `a=candidate:7 1 ${transport} 1 ${address} 4000 typ host`);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(line, fc.constantFrom('a=mid:0', 'a=sendrecv'))),
        fc.constantFrom('127.0.0.1', '::1'),
        (lines, address) => {
          const expected = lines.filter(
            (l) =>
              !l.startsWith('a=candidate:') ||
              (l.split(' ')[2]?.toLowerCase() === 'udp' && l.split(' ')[4] === address),
          );
          expect(keepCandidatesOn(lines.join('\n'), address)).toBe(expected.join('\n'));
        },
      ),
    );
  });
});
