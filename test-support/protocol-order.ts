// The protocol order checker is the conformance suite's (`@rtwire/cli`), shared with every
// package's tests from its source.
export {
  playbackOrderErrors,
  protocolOrderErrors,
} from '../packages/cli/src/conformance/protocol-order.ts';
