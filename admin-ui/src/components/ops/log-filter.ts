/**
 * The logs page's filter controls turned into one PocketBase filter over `_logs` (level, created, data.*).
 * Values go through `pb.filter` so quotes in a URL fragment cannot change the expression.
 */
import { pb } from '../../lib/api.ts';

export interface LogFilters {
  level: string; // '' or a level number
  status: string; // '' | '2' | '3' | '4' | '5' (the class)
  method: string;
  url: string;
  auth: string; // '' any | '@guest' | a collection name
  superusers: boolean; // include requests made by superusers (the dashboard's own)
}

export const LEVELS: ReadonlyArray<{ value: number; label: string }> = [
  { value: -4, label: 'Debug' },
  { value: 0, label: 'Info' },
  { value: 4, label: 'Warning' },
  { value: 8, label: 'Error' },
];

// the SDK types a log's level as a string; the wire carries a number
export const levelLabel = (level: number | string): string =>
  LEVELS.find((l) => l.value === Number(level))?.label ?? String(level);

export const RANGES: ReadonlyArray<{ hours: number; label: string }> = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

/** the start of the hour `hours - 1` hours before now's hour: the chart shows `hours` whole buckets */
export function rangeStart(hours: number, now = new Date()): Date {
  const start = new Date(now);
  start.setUTCMinutes(0, 0, 0);
  start.setUTCHours(start.getUTCHours() - (hours - 1));
  return start;
}

export function buildLogFilter(f: LogFilters, since: Date): string {
  const parts: string[] = [pb.filter('created >= {:since}', { since })];
  if (f.level !== '') parts.push(pb.filter('level = {:level}', { level: Number(f.level) }));
  if (f.status !== '') {
    const low = Number(f.status) * 100;
    parts.push(pb.filter('data.status >= {:low} && data.status < {:high}', { low, high: low + 100 }));
  }
  if (f.method !== '') parts.push(pb.filter('data.method = {:method}', { method: f.method }));
  if (f.url.trim() !== '') parts.push(pb.filter('data.url ~ {:url}', { url: f.url.trim() }));
  if (f.auth === '@guest') parts.push('data.auth = ""');
  else if (f.auth !== '') parts.push(pb.filter('data.auth = {:auth}', { auth: f.auth }));
  // asking for superusers' requests by auth includes them whatever the checkbox says
  if (!f.superusers && f.auth !== '_superusers') parts.push('data.auth != "_superusers"');
  return parts.map((p) => `(${p})`).join(' && ');
}
