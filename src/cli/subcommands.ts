import type { Command } from 'commander';

/** Every subcommand registers itself here; one file per subcommand under src/cli/. */
export const subcommands: Array<(program: Command) => void> = [];
