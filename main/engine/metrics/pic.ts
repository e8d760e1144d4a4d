// PIC, % Increase in Confidence (docs/methods.md §4.3): 100 mean(1[Y < O]) with O on the image times the map; higher is better.
// (Not the SIC/AIC "performance information curves", which are info-curve*.ts.)
import type { Metric } from './metric';
import { increaseTerm, maskedConfidence } from './masked-confidence';
import { meanAggregate } from './aggregate';

export const pic: Metric<{ space: 'unit'; score: 'softmax' }> = {
  id: 'pic',
  version: 1,
  title: 'PIC',
  summary: 'share of images whose target probability rises when the image is multiplied by the map (%)',
  direction: 'higher',
  resolveParams: () => ({ space: 'unit', score: 'softmax' }),
  async score(image, map) {
    if (!map.map) return { value: null, skipped: 'map is not finite' };
    const { y, o } = maskedConfidence(image, map);
    return { value: increaseTerm(y, o) };
  },
  aggregate: (scores) => meanAggregate(scores),
};
