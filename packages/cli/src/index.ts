// The programmatic side of the `rtwire` command.

// --- the conformance suite (rtwire conformance) ---
export * from './conformance/index.ts';

// --- the relay process (rtwire relay) ---
export * from './relay/index.ts';
