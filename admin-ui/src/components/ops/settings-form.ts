/**
 * Shared by the settings forms: the server's nested field errors (`data.smtp.host.message`) flattened to
 * dotted keys (`smtp.host`), list inputs written one item per comma, and one save that reports in place.
 */
import { ClientResponseError } from 'pocketbase';
import { pb } from '../../lib/api.ts';
import { explainError } from '../../lib/errors.ts';
import { showToast } from '../../lib/toasts.svelte.ts';

export function nestedFieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, path: string[]) => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (typeof n['message'] === 'string' && typeof n['code'] === 'string') {
      out[path.join('.')] = n['message'];
      return;
    }
    for (const [k, v] of Object.entries(n)) walk(v, [...path, k]);
  };
  if (err instanceof ClientResponseError) walk(err.response?.['data'], []);
  return out;
}

export const splitList = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export interface SaveOutcome {
  ok: boolean;
  errors: Record<string, string>;
  message: string;
}

/** PATCH /api/settings with `body`; a success is a notice, a failure comes back for the form to show. */
export async function saveSettings(body: Record<string, unknown>, what: string): Promise<SaveOutcome> {
  try {
    await pb.settings.update(body);
    showToast({ kind: 'success', title: `${what} saved`, message: 'The server uses the new settings from now on.' });
    return { ok: true, errors: {}, message: '' };
  } catch (err) {
    const ex = explainError(err);
    const errors = nestedFieldErrors(err);
    return { ok: false, errors, message: Object.keys(errors).length > 0 ? `${ex.message} Correct the fields marked in red.` : `${ex.message} ${ex.hint}` };
  }
}
