// SIC, Softmax Information Curve (Kapishnikov et al. 2019; docs/methods.md §4.4): AUC x100 of the target's normalized softmax
// probability against normalized information while the map's top pixels are revealed; higher is better.
import { infoCurveMetric } from './info-curve-metric';

export const sic = infoCurveMetric({
  id: 'sic',
  title: 'SIC',
  summary: 'softmax information curve: target probability against revealed information (median curve AUC x100)',
  prediction: 'softmax',
});
