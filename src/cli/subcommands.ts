import type { Command } from 'commander';
import { register as convert } from './convert.js';
import { register as info } from './info.js';
import { register as plan } from './plan.js';

/** Every subcommand registers itself here; one file per subcommand under src/cli/. */
export const subcommands: Array<(program: Command) => void> = [info, convert, plan];
