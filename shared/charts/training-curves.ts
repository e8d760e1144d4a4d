// A training job's curves: training and validation accuracy (left axis, 0 to 1) and the training loss (right axis)
// per epoch. Accuracy in the DIX3 blue family, loss in orange, validation dashed.
import type { ChartConfiguration } from 'chart.js';
import { fitAxis, fittedScale } from './axes';

export interface TrainingCurveData {
  title: string;
  epochs: number[];
  trainAccuracy: Array<number | null>;
  /** null where the job held out no validation images. */
  valAccuracy: Array<number | null>;
  loss: Array<number | null>;
}

export function trainingCurveConfig(d: TrainingCurveData): ChartConfiguration<'line'> {
  const hasVal = d.valAccuracy.some((v) => v !== null && Number.isFinite(v));
  const lossFit = fitAxis(d.loss, { include: [0] });
  const points = d.epochs.length > 40 ? 0 : 2.5;
  return {
    type: 'line',
    data: {
      labels: d.epochs.map(String),
      datasets: [
        { label: 'training accuracy', data: d.trainAccuracy, borderColor: '#0072B2', backgroundColor: '#0072B2', borderWidth: 2, pointRadius: points, yAxisID: 'y', clip: 6 },
        ...(hasVal ? [{ label: 'validation accuracy', data: d.valAccuracy, borderColor: '#56B4E9', backgroundColor: '#56B4E9', borderDash: [6, 4], borderWidth: 2, pointRadius: points, yAxisID: 'y', clip: 6 }] : []),
        { label: 'training loss', data: d.loss, borderColor: '#D55E00', backgroundColor: '#D55E00', borderWidth: 2, pointRadius: points, yAxisID: 'loss', clip: 6 },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      plugins: { title: { display: true, text: d.title } },
      scales: {
        x: { title: { display: true, text: 'epoch' }, ticks: { autoSkip: true, maxRotation: 0 } },
        y: { position: 'left', title: { display: true, text: 'accuracy' }, ...fittedScale({ min: 0, max: 1, step: 0.25 }) },
        loss: { position: 'right', title: { display: true, text: 'loss' }, grid: { drawOnChartArea: false }, ...fittedScale(lossFit) },
      },
    },
  };
}
