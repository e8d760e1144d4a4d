// ADP, Average Drop % (docs/methods.md §4.3): 100 mean(max(0, Y - O) / Y) with O on the image times the map; lower is better.
import type { Metric } from './metric';
import { averageDropTerm, maskedConfidence } from './masked-confidence';
import { meanAggregate } from './aggregate';

export const adp: Metric<{ space: 'unit'; score: 'softmax' }> = {
  id: 'adp',
  version: 1,
  title: 'ADP',
  summary: 'average relative drop of the target probability when the image is multiplied by the map (%)',
  direction: 'lower',
  resolveParams: () => ({ space: 'unit', score: 'softmax' }),
  async score(image, map) {
    if (!map.map) return { value: null, skipped: 'map is not finite' };
    const { y, o } = maskedConfidence(image, map);
    return { value: averageDropTerm(y, o) };
  },
  aggregate: (scores) => meanAggregate(scores),
};
