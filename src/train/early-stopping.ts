/** Best-checkpoint bookkeeping and early stopping on the mean validation Dice (higher is better). */
export interface BestState {
  bestMetric: number | null;
  bestEpoch: number | null;
  /** Validations since the best one. */
  sinceBest: number;
}

export interface EarlyStoppingOptions {
  /** Validations without improvement before stopping; 0 = never stop. */
  patience: number;
  /** An improvement must exceed the best by more than this. */
  minDelta: number;
}

/** The state after a validation at `epoch` scored `metric`; `improved` says whether to save the best checkpoint. */
export function afterValidation(
  state: BestState,
  metric: number,
  epoch: number,
  o: EarlyStoppingOptions,
): BestState & { improved: boolean; stop: boolean } {
  const improved = Number.isFinite(metric) && (state.bestMetric === null || metric > state.bestMetric + o.minDelta);
  const next = improved
    ? { bestMetric: metric, bestEpoch: epoch, sinceBest: 0 }
    : { ...state, sinceBest: state.sinceBest + 1 };
  return { ...next, improved, stop: o.patience > 0 && next.sinceBest >= o.patience };
}
