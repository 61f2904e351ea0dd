/**
 * Generic, dependency-free SVG charts. `lineChart` draws several series with axes, ticks,
 * a legend and a title; `barChart` draws horizontal bars per category (per-class AP); `niceTicks`/`formatTick` and `escapeXml` are there for other charts.
 */
export { lineChart, PALETTE, type LineChartOptions, type Series } from './line-chart.ts';
export { barChart, type BarChartOptions, type BarSeries } from './bar-chart.ts';
export { niceTicks, formatTick } from './ticks.ts';
export { escapeXml, px } from './svg.ts';
