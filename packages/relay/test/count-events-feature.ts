import type { RelayFeatureFactory } from '../src/session/feature.ts';

/**
 * A feature that only observes: it counts every upstream frame and every client event by
 * type, from the peeked type alone, so it never makes the pipe parse a frame.
 */
export function countEvents(counts: {
  readonly upstream: Map<string, number>;
  readonly client: Map<string, number>;
}): RelayFeatureFactory {
  const bump = (map: Map<string, number>, type: string | undefined) =>
    map.set(type ?? 'unknown', (map.get(type ?? 'unknown') ?? 0) + 1);
  return () => ({
    name: 'count-events',
    clientTypes: '*',
    upstreamTypes: '*',
    onClientEvent(event) {
      bump(counts.client, event.type);
      return undefined;
    },
    onUpstreamFrame(frame) {
      bump(counts.upstream, frame.type);
      return undefined;
    },
  });
}
