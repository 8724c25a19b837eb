/**
 * The training progress bar on stderr (cli-progress; also printed, on a schedule, when stderr is
 * not a terminal so CI logs show it): epoch, iterations over the whole run, loss (running mean over
 * the epoch), learning rate, speed in images per second and the ETA of the run.
 */
import cliProgress from 'cli-progress';

export interface ProgressPayload {
  epoch: number;
  epochs: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
}

export interface TrainingProgress {
  /** Called after each step with the run's iteration and the epoch's numbers. */
  update(iteration: number, p: ProgressPayload): void;
  /** A line for the human log (epoch summaries, validation). */
  log(line: string): void;
  /** The run ended. */
  stop(): void;
}

const fmt = (p: ProgressPayload) => ({
  epochText: `${p.epoch}/${p.epochs}`,
  lossText: Number.isFinite(p.loss) ? p.loss.toFixed(4) : '-',
  lrText: p.lr.toExponential(2),
  speedText: p.imagesPerSecond.toFixed(1),
});

/** A progress bar on `stream` (stderr by default) over the run's iterations. */
export function progressBar(
  totalIterations: number,
  startIteration: number,
  stream: NodeJS.WriteStream = process.stderr,
): TrainingProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'epoch {epochText} |{bar}| {value}/{total} it | loss {lossText} | lr {lrText} | {speedText} img/s | ETA {eta_formatted}',
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 50,
      hideCursor: false,
      barsize: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalIterations, startIteration, { epochText: '-', lossText: '-', lrText: '-', speedText: '-' });
  return {
    update: (iteration, p) => bar.update(iteration, fmt(p)),
    log(line) {
      // cli-progress redraws over the current line on a terminal: clear it first
      if (stream.isTTY) stream.write('\r\x1b[K');
      stream.write(`${line}\n`);
    },
    stop: () => bar.stop(),
  };
}

/** No bar: only the epoch lines (library use, tests). */
export function quietProgress(write: (line: string) => void = () => {}): TrainingProgress {
  return { update() {}, log: write, stop() {} };
}
