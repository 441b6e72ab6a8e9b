/**
 * Writes the grading outputs: grades.csv, grades.json and one self-contained HTML feedback page per student; reads
 * grades.json back and merges the outputs of several shards into the outputs of one run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from '@dl-course/lib/plot';
import type { CheckCatalog, GradeRow, GradeRun, NotebookGrade } from './grade-submissions';

export const CSV_COLUMNS = ['student', 'notebook', 'check', 'points', 'max_points', 'passed', 'error'] as const;

export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function gradesCsv(rows: GradeRow[]): string {
  const lines = rows.map((r) =>
    [r.student, r.notebook, r.check, r.points, r.maxPoints, r.passed, r.error].map(csvField).join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

export interface GradeTotals {
  student: string;
  points: number;
  maxPoints: number;
}

export function totalsByStudent(rows: GradeRow[]): GradeTotals[] {
  const totals = new Map<string, GradeTotals>();
  for (const r of rows) {
    const t = totals.get(r.student) ?? { student: r.student, points: 0, maxPoints: 0 };
    t.points += r.points;
    t.maxPoints += r.maxPoints;
    totals.set(r.student, t);
  }
  return [...totals.values()];
}

export function writeGradeReports(outDir: string, run: GradeRun): { csv: string; json: string; feedback: string[] } {
  fs.mkdirSync(outDir, { recursive: true });
  const grades = sortGrades(run.grades);
  const rows = grades.flatMap((g) => g.rows);
  const csv = path.join(outDir, 'grades.csv');
  const json = path.join(outDir, 'grades.json');
  fs.writeFileSync(csv, gradesCsv(rows));
  const notebooks = grades.map(({ rows: _rows, ...rest }) => rest);
  const report = { totals: totalsByStudent(rows), notebooks, rows, checks: run.checks, notes: run.notes };
  fs.writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  const feedbackDir = path.join(outDir, 'feedback');
  fs.mkdirSync(feedbackDir, { recursive: true });
  const students = [...new Set(grades.map((g) => g.student))];
  const feedback = students.map((student) => {
    const file = path.join(feedbackDir, `${student}.html`);
    fs.writeFileSync(file, feedbackPage(student, grades.filter((g) => g.student === student), run.checks));
    return file;
  });
  return { csv, json, feedback };
}

/** One order whatever order the jobs finished in, or which shard graded whom: by student, then notebook. */
function sortGrades(grades: NotebookGrade[]): NotebookGrade[] {
  const key = (g: NotebookGrade) => `${g.student}\u0000${g.notebook}`;
  return [...grades].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A grading output folder read back (its grades.json). */
export function readGradeRun(dir: string): GradeRun {
  const file = path.join(dir, 'grades.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    notebooks?: Omit<NotebookGrade, 'rows'>[];
    rows?: GradeRow[];
    checks?: CheckCatalog;
    notes?: string[];
  };
  if (!Array.isArray(json.notebooks) || !Array.isArray(json.rows) || !json.checks) throw new Error(`${file}: not a grades.json of this grader`);
  const grades = json.notebooks.map((g) => ({
    ...g,
    rows: json.rows!.filter((r) => r.student === g.student && r.notebook === g.notebook),
  }));
  return { grades, checks: json.checks, notes: json.notes ?? [] };
}

/**
 * The outputs of several shards as one run: every (student, notebook) once, the same checks in every shard.
 * Feedback pages are written anew from the merged data, so they equal those of an unsharded run.
 */
export function mergeGradeRuns(runs: GradeRun[]): GradeRun {
  if (runs.length === 0) throw new Error('nothing to merge');
  const checks = runs[0]!.checks;
  const seen = new Map<string, number>();
  runs.forEach((run, i) => {
    if (JSON.stringify(run.checks) !== JSON.stringify(checks)) {
      throw new Error(`shard ${i + 1} was graded against other checks than shard 1 (instructor notebooks changed between shards?)`);
    }
    for (const g of run.grades) {
      const key = `${g.student} / ${g.notebook}`;
      if (seen.has(key)) throw new Error(`${key} is in shard ${seen.get(key)! + 1} and shard ${i + 1}: were the shards cut the same way?`);
      seen.set(key, i);
    }
  });
  return { grades: sortGrades(runs.flatMap((r) => r.grades)), checks, notes: [...new Set(runs.flatMap((r) => r.notes))] };
}

export function feedbackPage(student: string, grades: NotebookGrade[], checks: CheckCatalog): string {
  const earned = grades.flatMap((g) => g.rows).reduce((s, r) => s + r.points, 0);
  const max = grades.flatMap((g) => g.rows).reduce((s, r) => s + r.maxPoints, 0);
  const sections = grades.map((g) => {
    const nbEarned = g.rows.reduce((s, r) => s + r.points, 0);
    const nbMax = g.rows.reduce((s, r) => s + r.maxPoints, 0);
    const status =
      g.status === 'ok' || g.status === 'failed'
        ? ''
        : `<p class="status">Run status: <b>${escapeHtml(g.status)}</b>${g.error ? ` — ${escapeHtml(g.error)}` : ''}</p>`;
    const rows = g.rows
      .map(
        (r) => `<tr class="${r.passed ? 'pass' : 'fail'}">
  <td>${escapeHtml(r.check)}</td><td>${r.passed ? '✔ passed' : '✘ failed'}</td><td>${r.points} / ${r.maxPoints}</td>
  <td>${r.error ? `<code>${escapeHtml(r.error)}</code>` : ''}</td>
</tr>`,
      )
      .join('\n');
    // Hidden checks keep their code to themselves; visible ones show what the student's copy shows.
    const sources = g.rows
      .map((r) => {
        const source = checks[g.notebook]?.find((c) => c.check === r.check)?.source;
        if (source === null || source === undefined) return '';
        return `<details><summary>Check <code>${escapeHtml(r.check)}</code></summary>
<pre>${escapeHtml(source)}</pre></details>`;
      })
      .filter(Boolean)
      .join('\n');
    return `<section>
<h2>${escapeHtml(g.notebook)} — ${nbEarned} / ${nbMax}</h2>
${status}
<table><thead><tr><th>check</th><th>result</th><th>points</th><th>error</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${sources}
</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback for ${escapeHtml(student)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
tr.pass td:nth-child(2) { color: #176f2c; } tr.fail td:nth-child(2) { color: #b00020; }
.status { background: #fff4e5; padding: 0.4rem 0.6rem; border-left: 4px solid #f0a020; }
pre { background: #f6f8fa; padding: 0.5rem; overflow-x: auto; }
</style></head>
<body>
<h1>Feedback for ${escapeHtml(student)}: ${earned} / ${max} points</h1>
<p>Each check is a cell from the course's own copy of the notebook, run after your code in a fresh sandbox; what it
measured of your code was compared, outside your notebook, with the same measurement of the course's solution.
Hidden checks run after all your cells and say only which one failed, in the course's words.</p>
${sections.join('\n')}
</body></html>
`;
}
