/** Writes the grading outputs: grades.csv, grades.json and one self-contained HTML feedback page per student. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from '../html';
import type { GradeRow, NotebookGrade } from './grade-submissions';

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

export function writeGradeReports(outDir: string, grades: NotebookGrade[]): { csv: string; json: string; feedback: string[] } {
  fs.mkdirSync(outDir, { recursive: true });
  const rows = grades.flatMap((g) => g.rows);
  const csv = path.join(outDir, 'grades.csv');
  const json = path.join(outDir, 'grades.json');
  fs.writeFileSync(csv, gradesCsv(rows));
  const notebooks = grades.map(({ checkSources: _sources, rows: _rows, ...rest }) => rest);
  fs.writeFileSync(json, JSON.stringify({ totals: totalsByStudent(rows), notebooks, rows }, null, 2) + '\n');
  const feedbackDir = path.join(outDir, 'feedback');
  fs.mkdirSync(feedbackDir, { recursive: true });
  const students = [...new Set(grades.map((g) => g.student))];
  const feedback = students.map((student) => {
    const file = path.join(feedbackDir, `${student}.html`);
    fs.writeFileSync(file, feedbackPage(student, grades.filter((g) => g.student === student)));
    return file;
  });
  return { csv, json, feedback };
}

export function feedbackPage(student: string, grades: NotebookGrade[]): string {
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
        const source = g.checkSources[r.check];
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
<p>Each check is a cell from the course's own copy of the notebook, run after your code in a fresh kernel.
A check passes when it runs without an error.</p>
${sections.join('\n')}
</body></html>
`;
}
