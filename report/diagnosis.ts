// "What went wrong": the run's incidents with their causes, and its findings
// (diagnosis/), in the report's HTML and Markdown. A run without incidents
// says so in one line; an old results file without a diagnosis shows nothing.
import { diagnosisLines } from '../diagnosis/words.ts';
import type { Diagnosis } from '../diagnosis/types.ts';
import { escapeHtml as e, escapeMarkdown as m } from './escape.ts';

function linesOf(d: Diagnosis | undefined): string[] | undefined {
  if (!d) return undefined;
  const lines = diagnosisLines(d);
  return lines.length ? lines : undefined;
}

const NONE = 'No incident: the server neither failed requests above the noise, nor stalled, nor went over an SLO the run missed.';

export function diagnosisHtml(d: Diagnosis | undefined): string {
  if (!d) return '';
  const lines = linesOf(d);
  if (!lines) return `<section id="diagnosis"><h2>What went wrong</h2><p>${e(NONE)}</p></section>`;
  return `<section id="diagnosis"><h2>What went wrong</h2><ol class="incidents">${lines.map((l) => `<li>${e(l)}</li>`).join('')}</ol></section>`;
}

export function diagnosisMarkdown(d: Diagnosis | undefined): string[] {
  if (!d) return [];
  const lines = linesOf(d);
  if (!lines) return ['**What went wrong:** nothing: ' + m(NONE.replace(/^No incident: /, '')), ''];
  return ['**What went wrong:**', '', ...lines.map((l) => `- ${m(l)}`), ''];
}
