// echarts from its parts: only the bar chart, its axes, tooltip and legend, drawn as SVG.
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import type { BarSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

type Option = ComposeOption<BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption>;

export interface BarSeries {
  name: string;
  values: (number | null)[];
}

const COLORS = ['#1f6feb', '#1a7f37', '#d97706', '#8250df', '#b42318'];

/**
 * A bar chart in `container` (categories on one axis, one bar per series). Text is drawn as SVG
 * text and the tooltip in rich-text mode, so names from the data are never parsed as HTML.
 */
export function barChart(container: HTMLElement, options: { categories: string[]; series: BarSeries[]; unit?: string; horizontal?: boolean; max?: number }): EChartsType {
  const chart = init(container, undefined, { renderer: 'svg' });
  const valueAxis = { type: 'value' as const, max: options.max, axisLabel: { formatter: (v: number) => `${v}${options.unit ?? ''}` } };
  const categoryAxis = { type: 'category' as const, data: options.categories, axisLabel: { interval: 0, width: options.horizontal ? 150 : 80, overflow: 'truncate' as const } };
  const option: Option = {
    color: COLORS,
    animation: false,
    grid: { left: options.horizontal ? 160 : 48, right: 24, top: options.series.length > 1 ? 36 : 16, bottom: 32 },
    legend: options.series.length > 1 ? { top: 0 } : { show: false },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${String(v)}${options.unit ?? ''}`) },
    xAxis: options.horizontal ? valueAxis : categoryAxis,
    yAxis: options.horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: options.series.map((s) => ({ type: 'bar', name: s.name, data: s.values, barMaxWidth: 36 })),
  };
  chart.setOption(option);
  return chart;
}
