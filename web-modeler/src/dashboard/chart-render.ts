// Draws a ChartModel with Apache ECharts, importing only the parts used (bar, line, pie; grid, legend,
// tooltip, aria; the SVG renderer). The aria component gives each chart a generated description.
import { BarChart, LineChart, PieChart, type BarSeriesOption, type LineSeriesOption, type PieSeriesOption } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type { AriaComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartModel } from './chart-model';

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, SVGRenderer]);

type Option = ComposeOption<BarSeriesOption | LineSeriesOption | PieSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | AriaComponentOption>;

const FONT = "'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

function pieOption(model: ChartModel, title: string): Option {
  const [series] = model.series;
  return {
    aria: { enabled: true, label: { description: `${title}：${model.categories.map((c, i) => `${c} ${series?.values[i] ?? 0}${model.unit ?? ''}`).join('，')}` } },
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'item', formatter: `{b}：{c}${model.unit ?? ''}（{d}%）` },
    legend: { bottom: 0 },
    color: ['#0b5cad', '#cf222e', '#8c959f'],
    series: [
      {
        type: 'pie',
        name: series?.name ?? title,
        radius: ['35%', '65%'],
        label: { formatter: '{b} {c}（{d}%）' },
        data: model.categories.map((name, i) => ({ name, value: series?.values[i] ?? 0 })),
      },
    ],
  };
}

function barOption(model: ChartModel, title: string): Option {
  const categoryAxis = { type: 'category' as const, data: model.categories, axisLabel: { interval: 0, width: model.horizontal ? 180 : 80, overflow: 'truncate' as const } };
  const valueAxis = { type: 'value' as const, minInterval: 1, name: model.unit ?? '' };
  return {
    aria: { enabled: true, label: { general: { withTitle: `这是关于“${title}”的图表。` } } },
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: model.horizontal ? valueAxis : categoryAxis,
    yAxis: model.horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: model.series.map((s): BarSeriesOption | LineSeriesOption =>
      s.line
        ? { type: 'line', name: s.name, data: s.values, itemStyle: { color: s.color }, lineStyle: { color: s.color } }
        : { type: 'bar', name: s.name, data: s.values, stack: s.stack, itemStyle: { color: s.color }, barMaxWidth: 28 },
    ),
  };
}

/** Draws the model into `el` (which must have a size) and keeps it fitted to `el`; returns the chart. */
export function renderChart(el: HTMLElement, model: ChartModel, title: string): EChartsType {
  const chart = init(el, null, { renderer: 'svg', locale: 'ZH' });
  chart.setOption(model.kind === 'pie' ? pieOption(model, title) : barOption(model, title));
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

/** Height for a horizontal bar chart: room for each category. */
export const chartHeight = (model: ChartModel): number => (model.horizontal ? Math.max(300, 60 + model.categories.length * 26) : 320);
