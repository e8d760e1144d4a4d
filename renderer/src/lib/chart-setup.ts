// Chart.js with everything the shared chart configurations use: the built-in charts, the box plot, and the
// project's plugins (the dashed randomization line, the white figure background).
import { Chart, registerables } from 'chart.js';
import { BoxAndWiskers, BoxPlotController } from '@sgratzl/chartjs-chart-boxplot';
import { backgroundPlugin, errorBarsPlugin, verticalLinePlugin } from '../../../shared/charts/plugins';

Chart.register(...registerables, BoxPlotController, BoxAndWiskers, verticalLinePlugin, backgroundPlugin, errorBarsPlugin);

export { Chart };
