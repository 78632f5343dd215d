/** PocketBase's settings validation (core/settings_model.go), reported per field as an issue tree. */
import { parseCronExpression } from '../cron/cron-expression.ts';
import { issue, type FieldIssue, type IssueTree } from '../errors.ts';
import { isIpOrSubnet } from './settings-ip.ts';
import type { RateLimitRule, S3Settings, Settings } from './settings-model.ts';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const HOST = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
/** wire: PocketBase's accepted rate limit labels: `METHOD /path`, `/path`, `collection:tag`, `*:tag`, `tag`. */
const RULE_LABEL = /^(\w+ \/[\w/-]*|\/[\w/-]*|\w+:\w+|\*:\w+|\w+)$/;
const AUDIENCES = ['', '@guest', '@auth'];

const required = () => issue('validation_required', 'Cannot be blank.');
const tooLong = (max: number) => issue('validation_length_out_of_range', `The length must be between 1 and ${max}.`, { min: 1, max });
const atLeast = (min: number) => issue('validation_min_greater_equal_than_required', `Must be no less than ${min}.`, { threshold: min });

function isUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHost(text: string): boolean {
  return HOST.test(text) || (!text.includes('/') && isIpOrSubnet(text.replace(/^\[|\]$/g, '')));
}

function put(tree: IssueTree, path: string[], problem: FieldIssue): void {
  let node = tree;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as IssueTree;
  const last = path[path.length - 1]!;
  node[last] ??= problem;
}

function checkS3(s3: S3Settings, path: string[], out: IssueTree): void {
  if (s3.endpoint !== '' && !isUrl(s3.endpoint)) put(out, [...path, 'endpoint'], issue('validation_invalid_url', 'Must be a valid url.'));
  if (!s3.enabled) return;
  for (const key of ['endpoint', 'bucket', 'region', 'accessKey', 'secret'] as const) {
    if (s3[key] === '') put(out, [...path, key], required());
  }
}

function checkRules(rules: RateLimitRule[], enabled: boolean, out: IssueTree): void {
  if (enabled && rules.length === 0) put(out, ['rateLimits', 'rules'], required());
  const seen: string[] = [];
  rules.forEach((rule, i) => {
    const at = ['rateLimits', 'rules', String(i)];
    if (rule.label === '') put(out, [...at, 'label'], required());
    else if (!RULE_LABEL.test(rule.label)) put(out, [...at, 'label'], issue('validation_match_invalid', 'Must be in a valid format.'));
    if (rule.maxRequests === 0) put(out, [...at, 'maxRequests'], required());
    else if (rule.maxRequests < 1 || !Number.isInteger(rule.maxRequests)) put(out, [...at, 'maxRequests'], atLeast(1));
    if (rule.duration === 0) put(out, [...at, 'duration'], required());
    else if (rule.duration < 1 || !Number.isInteger(rule.duration)) put(out, [...at, 'duration'], atLeast(1));
    if (!AUDIENCES.includes(rule.audience)) put(out, [...at, 'audience'], issue('validation_in_invalid', 'Must be a valid value.'));
    // wire: two rules for the same label and audience (or one a prefix of the other's key) conflict.
    const key = `${rule.label}@@${rule.audience}`;
    if (seen.some((k) => k.startsWith(key) || key.startsWith(k))) {
      put(out, [...at, 'label'], issue('validation_not_unique', `Rate limit rule configuration with label ${rule.label} already exists or conflicts with another rule.`, { label: rule.label }));
    } else seen.push(key);
  });
}

function checkIpList(list: string[], path: string[], out: IssueTree): void {
  list.forEach((entry, i) => {
    if (entry === '') put(out, [...path, String(i)], required());
    else if (!isIpOrSubnet(entry)) put(out, [...path, String(i)], issue('validation_invalid_value', 'Must be a valid IP address or subnet.'));
  });
}

/** Every problem of a settings object, by path (`meta.appURL`, `rateLimits.rules.0.label`, …). */
export function validateSettings(s: Settings): IssueTree {
  const out: IssueTree = {};
  const { meta, smtp } = s;
  if (meta.appName === '') put(out, ['meta', 'appName'], required());
  else if (meta.appName.length > 255) put(out, ['meta', 'appName'], tooLong(255));
  if (meta.appURL === '') put(out, ['meta', 'appURL'], required());
  else if (!isUrl(meta.appURL)) put(out, ['meta', 'appURL'], issue('validation_invalid_url', 'Must be a valid url.'));
  if (meta.senderName === '') put(out, ['meta', 'senderName'], required());
  else if (meta.senderName.length > 255) put(out, ['meta', 'senderName'], tooLong(255));
  if (meta.senderAddress === '') put(out, ['meta', 'senderAddress'], required());
  else if (!EMAIL.test(meta.senderAddress)) put(out, ['meta', 'senderAddress'], issue('validation_is_email', 'Must be a valid email address.'));
  if (meta.accentColor !== '' && !/^#[0-9a-fA-F]{6}$/.test(meta.accentColor)) {
    put(out, ['meta', 'accentColor'], issue('validation_invalid_format', 'Must be a valid hexadecimal color code.'));
  }

  if (smtp.enabled && smtp.host === '') put(out, ['smtp', 'host'], required());
  else if (smtp.host !== '' && !isHost(smtp.host)) put(out, ['smtp', 'host'], issue('validation_invalid_value', 'Must be a valid host name.'));
  if (smtp.enabled && smtp.port === 0) put(out, ['smtp', 'port'], required());
  else if (smtp.port < 0 || smtp.port > 65535 || !Number.isInteger(smtp.port)) put(out, ['smtp', 'port'], issue('validation_invalid_value', 'Must be a port number.'));
  if (!['', 'PLAIN', 'LOGIN'].includes(smtp.authMethod)) put(out, ['smtp', 'authMethod'], issue('validation_in_invalid', 'Must be a valid value.'));
  if (smtp.localName !== '' && !isHost(smtp.localName)) put(out, ['smtp', 'localName'], issue('validation_invalid_value', 'Must be a valid host name.'));

  checkS3(s.s3, ['s3'], out);
  checkS3(s.backups.s3, ['backups', 's3'], out);
  if (s.backups.cron !== '') {
    // wire: PocketBase's checkCronExpression, its parser's reason as the message
    try {
      parseCronExpression(s.backups.cron);
    } catch (err) {
      put(out, ['backups', 'cron'], issue('validation_invalid_cron', err instanceof Error ? err.message : 'Invalid cron expression.'));
    }
  }
  if (s.backups.cron !== '' && s.backups.cronMaxKeep < 1) put(out, ['backups', 'cronMaxKeep'], atLeast(1));
  if (s.batch.enabled && s.batch.maxRequests === 0) put(out, ['batch', 'maxRequests'], required());
  if (s.batch.enabled && s.batch.timeout === 0) put(out, ['batch', 'timeout'], required());
  for (const key of ['maxRequests', 'timeout', 'maxBodySize'] as const) if (s.batch[key] < 0) put(out, ['batch', key], atLeast(0));
  // wire: Go decodes these into ints, so a fraction is refused
  for (const key of ['maxDays', 'minLevel'] as const) {
    if (!Number.isInteger(s.logs[key])) put(out, ['logs', key], issue('validation_only_int_constraint', 'Must be an integer.'));
  }
  if (s.logs.maxDays < 0) put(out, ['logs', 'maxDays'], atLeast(0));

  checkRules(s.rateLimits.rules, s.rateLimits.enabled, out);
  checkIpList(s.rateLimits.excludedIPs, ['rateLimits', 'excludedIPs'], out);
  checkIpList(s.trustedProxy.ips, ['trustedProxy', 'ips'], out);
  checkIpList(s.superuserIPs, ['superuserIPs'], out);
  s.trustedProxy.headers.forEach((h, i) => {
    if (!/^[A-Za-z0-9-]+$/.test(h)) put(out, ['trustedProxy', 'headers', String(i)], issue('validation_invalid_value', 'Must be a header name.'));
  });
  for (const key of ['maxSubscriptionBytes', 'maxStreamsPerIp'] as const) {
    const value = s.realtime[key];
    if (!Number.isInteger(value)) put(out, ['realtime', key], issue('validation_only_int_constraint', 'Must be an integer.'));
    else if (value < 1) put(out, ['realtime', key], atLeast(1));
  }
  return out;
}
