/**
 * Generic, dependency-free SVG charts. `lineChart` draws several series with axes, ticks,
 * a legend and a title; `niceTicks`/`formatTick` and `escapeXml` are there for other charts.
 */
export { lineChart, PALETTE, type LineChartOptions, type Series } from './line-chart.ts';
export { niceTicks, formatTick } from './ticks.ts';
export { escapeXml, px } from './svg.ts';
