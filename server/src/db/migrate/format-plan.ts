/**
 * A plan in plain words, one numbered step after another: what `galley migrate plan` prints and what a
 * refused `serve` or `migrate apply` shows. Also the errors that refuse a plan.
 */
import { GalleyError } from '../../errors.ts';
import type { CheckedStep, MigrationStep } from './step.ts';

export interface FormatPlanOptions {
  /** print each step's SQL under it */
  sql?: boolean;
  /** left margin of every line */
  indent?: string;
}

const isChecked = (s: MigrationStep): s is CheckedStep => 'refused' in s;

function markOf(step: MigrationStep): string {
  if (isChecked(step) && step.refused) return '[refused] ';
  if (step.lossy) return '[loses data] ';
  if (isChecked(step) && step.checkedOnApply) return '[data checked when applied] ';
  return '';
}

/** Numbered steps with their marks, details, reasons and (optionally) SQL. */
export function formatPlanSteps(steps: readonly MigrationStep[], opts: FormatPlanOptions = {}): string[] {
  const indent = opts.indent ?? '';
  const width = String(steps.length).length;
  const lines: string[] = [];
  steps.forEach((step, i) => {
    const number = `${String(i + 1).padStart(width)}. `;
    const pad = `${indent}${' '.repeat(number.length)}  `;
    lines.push(`${indent}${number}${markOf(step)}${step.description}`);
    for (const d of step.details) lines.push(`${pad}- ${d}`);
    if (isChecked(step) && step.refused) lines.push(`${pad}refused: ${step.refused}`);
    if (step.lossy && step.why) lines.push(`${pad}loses: ${step.why}`);
    if (opts.sql) for (const text of step.sql) lines.push(`${pad}SQL: ${text.replace(/\s*\n\s*/g, ' ')}`);
  });
  return lines;
}

export function countLossySteps(steps: readonly MigrationStep[]): number {
  return steps.filter((s) => s.lossy).length;
}

export function createDataLossError(steps: readonly MigrationStep[]): GalleyError {
  const lossy = countLossySteps(steps);
  return new GalleyError(
    'invalid',
    [
      `The schema change would lose data (${lossy} of ${steps.length} steps), so nothing was applied. The plan:`,
      ...formatPlanSteps(steps, { indent: '  ' }),
      'Review it with `galley migrate plan`, then apply it with `galley migrate apply --allow-data-loss`.',
    ].join('\n'),
  );
}

export function createRefusedPlanError(steps: readonly CheckedStep[]): GalleyError {
  const numbered = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.refused);
  return new GalleyError(
    'invalid',
    [
      'The data does not allow this schema change, so nothing was applied:',
      ...numbered.flatMap(({ s, i }) => [`  ${i + 1}. ${s.description}`, `     refused: ${s.refused}`]),
      'Change those records or the schema file, then check again with `galley migrate plan`.',
    ].join('\n'),
  );
}
