import type { Command } from 'commander';
import { register as compare } from './compare.js';
import { register as convert } from './convert.js';
import { register as cv } from './cv.js';
import { register as demo } from './demo.js';
import { register as deid } from './deid.js';
import { register as evaluate } from './evaluate.js';
import { register as finetuneMerge } from './finetune-merge.js';
import { register as findings } from './findings.js';
import { register as pacs } from './pacs.js';
import { register as exportCommand } from './export.js';
import { register as explain } from './explain.js';
import { register as info } from './info.js';
import { register as keys } from './keys.js';
import { register as monitor } from './monitor.js';
import { register as plan } from './plan.js';
import { register as predict } from './predict.js';
import { register as report } from './report.js';
import { register as quantize } from './quantize.js';
import { register as rank } from './rank.js';
import { register as serve } from './serve.js';
import { register as train } from './train.js';
import { register as worker } from './worker.js';

/** Every subcommand registers itself here; one file per subcommand under src/cli/. */
export const subcommands: Array<(program: Command) => void> = [
  info,
  convert,
  plan,
  train,
  predict,
  evaluate,
  cv,
  compare,
  report,
  quantize,
  exportCommand,
  explain,
  finetuneMerge,
  findings,
  deid,
  pacs,
  demo,
  serve,
  worker,
  monitor,
  rank,
  keys,
];
