import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './database-url.ts';

describe('parseDatabaseUrl', () => {
  it('keeps the URL for the driver and shows it with the password masked, in the authority and as a parameter', () => {
    const url = parseDatabaseUrl('postgres://app:s3cr%40t@db.example:5432/galley?sslmode=require&password=other');
    if ('problem' in url) throw new Error(url.problem);
    expect(url.reveal()).toBe('postgres://app:s3cr%40t@db.example:5432/galley?sslmode=require&password=other');
    expect(url.masked).toBe('postgres://app:***@db.example:5432/galley?sslmode=require&password=***');
    expect(String(url)).toBe(url.masked);
    expect(JSON.stringify({ url })).toBe(JSON.stringify({ url: url.masked }));
    expect(`${url}`).not.toContain('s3cr');
  });

  it('takes postgresql:// and a URL without a password as they are', () => {
    const url = parseDatabaseUrl('postgresql://app@localhost/galley');
    expect('problem' in url ? url.problem : url.masked).toBe('postgresql://app@localhost/galley');
  });

  it('refuses what is not a PostgreSQL URL, without repeating it', () => {
    const notUrl = parseDatabaseUrl('host=db password=secret');
    expect('problem' in notUrl && notUrl.problem).toMatch(/is not a URL/);
    const mysql = parseDatabaseUrl('mysql://root:secret@db/app');
    expect('problem' in mysql && mysql.problem).toMatch(/only postgres:\/\//);
    expect('problem' in mysql && mysql.problem).not.toContain('secret');
  });
});
