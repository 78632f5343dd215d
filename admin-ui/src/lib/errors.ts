/** Turns anything a request can throw into what the operator reads: the server's message and what to do next. */
import { ClientResponseError } from 'pocketbase';

export interface ExplainedError {
  /** the server's own message (PocketBase's `message`), or the browser's when the server was not reached */
  message: string;
  /** what to do about it */
  hint: string;
  status: number;
  /** per-field messages from the server's `data`, keyed by field name */
  fields: Record<string, string>;
}

const HINTS: Record<number, string> = {
  0: 'The server did not answer. Check that `galley serve` is running and reachable, then try again.',
  400: 'Check what you entered and try again.',
  401: 'Your session has ended. Sign in again.',
  403: 'Your account may not do this. Sign in as a superuser, or check the superuser IP settings.',
  404: 'It may have been deleted or renamed. Pick it again from the sidebar.',
  413: 'The request is too large for the server. Send less at once.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The server is busy or restarting. Try again in a moment.',
};

export function explainError(err: unknown): ExplainedError {
  if (err instanceof ClientResponseError) {
    const data = (err.response?.['data'] ?? {}) as Record<string, { message?: string }>;
    const fields: Record<string, string> = {};
    for (const [name, issue] of Object.entries(data)) if (issue && typeof issue.message === 'string') fields[name] = issue.message;
    const status = err.status;
    const message = (typeof err.response?.['message'] === 'string' && err.response['message']) || err.message || 'The request failed.';
    const hint = status === 400 && Object.keys(fields).length > 0 ? 'Correct the fields marked in red and try again.' : HINTS[status] ?? (status >= 500 ? 'The server failed. Its log (galley serve output) says why; try again once it is fixed.' : 'Check the values and try again.');
    return { message, hint, status, fields };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message, hint: 'Reload the page; if it happens again, the browser console has the details.', status: -1, fields: {} };
}
