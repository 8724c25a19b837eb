import type { Command } from 'commander';
import { register as demo } from './demo.js';

/** Every subcommand registers itself here; one file per subcommand under src/cli/. */
export const subcommands: Array<(program: Command) => void> = [demo];
