import type { RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import { describeFault } from '../session/fault-log.ts';
import type { UsageStore } from './usage-store.ts';

/**
 * `store` as the relay uses it: whether it answers is a gauge (`rtwire_relay_usage_store_up`)
 * and a counter of failures; each change of state (down, back up) is one log line, never one
 * per failed call; the calls in flight are counted, so `close` lets them finish (bounded by
 * the store's own timeout) before closing the store.
 */
export function watchUsageStore(
  store: UsageStore,
  logger: RelayLogger,
  metrics: RelayMetrics,
): UsageStore & { close(): Promise<void> } {
  let up = true;
  metrics.usageStoreUp = 1;
  const inFlight = new Set<Promise<unknown>>();
  const watch = <T>(call: () => Promise<T>): Promise<T> => {
    const result = call().then(
      (value) => {
        if (!up) {
          up = true;
          metrics.usageStoreUp = 1;
          logger.log('info', 'metering.store_up', {});
        }
        return value;
      },
      (error: unknown) => {
        metrics.usageStoreFailures++;
        if (up) {
          up = false;
          metrics.usageStoreUp = 0;
          logger.log('warn', 'metering.store_down', describeFault(error));
        }
        throw error;
      },
    );
    inFlight.add(result);
    const forget = () => inFlight.delete(result);
    result.then(forget, forget);
    return result;
  };
  return {
    openSession: (tenant, cap, nowMs) => watch(() => store.openSession(tenant, cap, nowMs)),
    renewSession: (lease, nowMs) => watch(() => store.renewSession(lease, nowMs)),
    closeSession: (lease) => watch(() => store.closeSession(lease)),
    exhausted: (tenant, caps, nowMs) => watch(() => store.exhausted(tenant, caps, nowMs)),
    reserve: (tenant, caps, request, nowMs) =>
      watch(() => store.reserve(tenant, caps, request, nowMs)),
    settle: (reservation, used, caps, nowMs) =>
      watch(() => store.settle(reservation, used, caps, nowMs)),
    async close() {
      await Promise.allSettled([...inFlight]);
      await store.close?.();
    },
  };
}
