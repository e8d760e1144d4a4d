// AIC, Accuracy Information Curve (Kapishnikov et al. 2019; docs/methods.md §4.4): AUC x100 of 1[top-1 = target], normalized,
// against normalized information while the map's top pixels are revealed; higher is better.
import { infoCurveMetric } from './info-curve-metric';

export const aic = infoCurveMetric({
  id: 'aic',
  title: 'AIC',
  summary: 'accuracy information curve: top-1 correctness against revealed information (median curve AUC x100)',
  prediction: 'accuracy',
});
