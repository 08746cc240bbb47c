// What a chart shows, independent of how it is drawn: categories and named series of numbers. The
// ECharts option and the accessible data table are both made from it, so they always agree.
export interface ChartSeries {
  name: string;
  values: number[];
  /** drawn as a line over the bars (bar charts only) */
  line?: boolean;
  /** series with the same stack are stacked */
  stack?: string;
  color?: string;
}

export interface ChartModel {
  kind: 'bar' | 'pie';
  /** the category axis (bar) or the slices (pie) */
  categoryLabel: string;
  categories: string[];
  series: ChartSeries[];
  /** bars along the y axis, for many categories with long names */
  horizontal?: boolean;
  /** the unit of the values, for the table header and the tooltip (人, 个) */
  unit?: string;
}

/** No categories, or nothing but zeros: the panel shows its empty state instead of a blank chart. */
export const isEmptyModel = (model: ChartModel): boolean =>
  model.categories.length === 0 || model.series.every((s) => s.values.every((v) => !v));
