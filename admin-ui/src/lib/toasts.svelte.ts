/**
 * Notices at the corner of the screen. `reportError(err, 'Loading collections')` shows the server's message and
 * what to do; pages that can show the error in place (beside a form) do that instead.
 */
import { explainError } from './errors.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'success' | 'info';
  title: string;
  message: string;
  hint?: string;
}

export const toasts = $state<Toast[]>([]);
let nextId = 1;

export function showToast(toast: Omit<Toast, 'id'>, ms = toast.kind === 'error' ? 0 : 4000): number {
  const id = nextId++;
  toasts.push({ ...toast, id });
  // errors stay until dismissed: the operator must be able to read what to do
  if (ms > 0) setTimeout(() => dismissToast(id), ms);
  return id;
}

export function dismissToast(id: number): void {
  const at = toasts.findIndex((t) => t.id === id);
  if (at >= 0) toasts.splice(at, 1);
}

export function reportError(err: unknown, doing: string): void {
  const e = explainError(err);
  showToast({ kind: 'error', title: `${doing} failed`, message: e.message, hint: e.hint });
}
