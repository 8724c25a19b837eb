/** Demo settings; kept apart from the training code so the CLI can read them without loading the engine. */
export interface DemoOptions {
  steps: number;
  batch: number;
  size: number;
  lr: number;
  seed: number;
  onStep?: (step: number, loss: number) => void;
}

export const DEMO_DEFAULTS: DemoOptions = { steps: 300, batch: 8, size: 48, lr: 3e-3, seed: 0 };
