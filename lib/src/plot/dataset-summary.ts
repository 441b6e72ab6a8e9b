/** A first look at a dataset in one HTML block: `head()`, `describe()` of the numeric columns, label counts. */
import type { DataFrame, Series } from 'danfojs-node';
import { escapeHtml } from './html';
import { tableToHtml } from './tables';

export function datasetSummaryHtml(df: DataFrame, options: { title?: string; labelColumn?: string; headRows?: number } = {}): string {
  const parts: string[] = [];
  if (options.title) parts.push(`<h4>${escapeHtml(options.title)} (${df.shape[0]} rows × ${df.shape[1]} columns)</h4>`);
  parts.push(tableToHtml(df.head(options.headRows ?? 5), { caption: 'head' }));
  const numeric = df.selectDtypes(['float32', 'int32']);
  if (numeric.shape[1] > 0) parts.push(tableToHtml(numeric.describe(), { caption: 'describe' }));
  if (options.labelColumn) {
    const counts = (df.column(options.labelColumn) as Series).valueCounts();
    parts.push(tableToHtml(counts, { caption: `value counts of ${options.labelColumn}`, seriesName: 'count', maxRows: 50 }));
  }
  return parts.join('\n');
}
