// The relay process of `pnpm start`: the `rtwire relay` command of @rtwire/cli, which holds the
// process lifecycle (configuration from the environment and flags, start, the listening line,
// signals, the bounded drain, exit codes), run as this app's entry. Relative paths in the
// configuration mean the directory `pnpm start` was typed in (INIT_CWD), not this app's.
import { runRelayCommand } from '@rtwire/cli/relay';

process.exit(await runRelayCommand(process.argv.slice(2), process.env));
