// One wording of training progress for every place that shows it (the CLI's bar, the window's queue, the demo):
// "epoch 12/60, acc 0.87, loss 0.412".

export interface TrainProgressLike {
  epoch: number;
  epochs: number;
  loss: number;
  /** Training accuracy after the last finished epoch; null or absent before the first has finished. */
  accuracy?: number | null;
}

export function trainProgressNote(p: TrainProgressLike): string {
  const acc = p.accuracy === undefined || p.accuracy === null ? '' : `, acc ${p.accuracy.toFixed(2)}`;
  return `epoch ${p.epoch}/${p.epochs}${acc}, loss ${p.loss.toFixed(3)}`;
}
