// Renders a Chart.js configuration to PNG (at a chosen DPI), SVG or PDF in Node with @napi-rs/canvas (Skia; its
// binaries come from the npm registry), from the same configurations the app's renderer draws (shared/charts).
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { BoxAndWiskers, BoxPlotController } from '@sgratzl/chartjs-chart-boxplot';
import { backgroundPlugin, errorBarsPlugin, verticalLinePlugin } from '../../shared/charts/plugins';
import { renderSurface, type SurfaceOptions } from './surface';

Chart.register(...registerables, BoxPlotController, BoxAndWiskers, verticalLinePlugin, backgroundPlugin, errorBarsPlugin);

export function renderChart(config: ChartConfiguration, o: SurfaceOptions): Buffer {
  return renderSurface(o, ({ ctx, pixelRatio }) => {
    // Chart.js lays out at the canvas's CSS size and scales the canvas itself by devicePixelRatio.
    const chart = new Chart(ctx as unknown as CanvasRenderingContext2D, {
      ...config,
      options: { ...config.options, animation: false, responsive: false, devicePixelRatio: pixelRatio },
    } as ChartConfiguration);
    // destroy() clears the canvas, so it runs after the file is encoded.
    return () => chart.destroy();
  });
}
