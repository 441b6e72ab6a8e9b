/**
 * Plotting and display: vega-lite chart builders, headless SVG/PNG rendering, notebook display
 * (static image + interactive spec in one output), tables, and training-feedback callbacks.
 * See docs/plotting.md.
 */
export type { ChartOptions } from './charts/common';
export * from './charts/history';
export * from './charts/lines';
export * from './charts/boundary';
export * from './charts/images';
export * from './charts/classes';
export * from './charts/activations';
export * from './charts/heatmaps';
export * from './charts/embeddings';
export * from './charts/compose';
export * from './charts/bars';
export * from './charts/histogram';
export type { Tile, TileLayoutOptions } from './charts/tiles';
export { CATEGORY_COLORS, colorMapRgb } from './colors';
export type { ColorMapName } from './colors';
export { encodePng, pngDataUrl, readPngSize } from './png-encode';
export type { PixelImage } from './png-encode';
export type { DataFrameLike, MatrixInput, VectorInput } from './inputs';
export { dataFrameToRecords } from './inputs';
export * from './render';
export { findPlotFonts } from './fonts';
export * from './notebook';
export * from './show';
export * from './tables';
export { datasetSummaryHtml } from './dataset-summary';
export { escapeHtml } from './html';
export { FitProgressCallback, LiveLossChartCallback, liveHistorySpec, trainingFeedback } from './progress';
export type { FeedbackMode, FitProgressOptions, LiveLossChartOptions, TrainingFeedbackOptions } from './progress';
