/**
 * Galley-only record routes for the dashboard's export and import (PocketBase has neither), superusers only:
 *
 * - `GET /api/galley/collections/:collection/export?format=csv|json&filter=&sort=&columns=`: the filter result
 *   as one file, streamed page by page (records/export-records.ts). A browser download cannot send the
 *   Authorization header, so a superuser's file token (`?token=`, short-lived, as the backup download takes)
 *   stands in for it; the header works too. docs/records-extensions.md.
 * - `POST /api/galley/collections/:collection/import-dry-run` `{rows: [...]}`: every row checked as the import
 *   would write it, in one transaction rolled back (batch/import-dry-run.ts); answers
 *   `{checked, issues: [{index, status, message, data}]}`. docs/records-extensions.md.
 */
import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import { dryRunRecordImport } from '../batch/import-dry-run.ts';
import { resolveFileToken } from '../files/file-token.ts';
import { describeError, isSuperuserIpAllowed, json, noContent, respond } from '../http/route-kit.ts';
import { exportRecords } from '../records/export-records.ts';
import { isSuperuser } from '../rules/request-info.ts';
import { requireSuperuser } from './collections.ts';

// the same ceiling as a batch body (wire: PocketBase's default batch maxBodySize, 128 MiB)
const MAX_DRY_RUN_BODY = 128 * 1024 * 1024;

export function galleyRecordTransferRoutes(core: Core) {
  const base = '/api/galley/collections/:collection';
  return new Elysia({ name: 'galley-record-transfer' })
    .get(`${base}/export`, async ({ request, params }) => {
      let file: Response | undefined;
      const answer = await respond(core, request, async (req) => {
        let info = req.info;
        if (!isSuperuser(info)) {
          const holder = await resolveFileToken(core, req.query['token']);
          // wire (as the backup download): a superuser's file token from outside superuserIPs counts for nothing
          if (holder && isSuperuserIpAllowed(core, req.ip)) info = { ...info, auth: holder };
          requireSuperuser(info);
        }
        const out = await exportRecords(core, info, params.collection, {
          format: req.query['format'] ?? '',
          filter: req.query['filter'] ?? '',
          sort: req.query['sort'] ?? '',
          columns: req.query['columns'] ?? '',
        });
        file = new Response(out.body, {
          headers: {
            'Content-Type': out.contentType,
            'Content-Disposition': `attachment; filename="${out.fileName}"`,
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          },
        });
        return noContent();
      });
      return file ?? answer;
    })
    .post(`${base}/import-dry-run`, ({ request, params }) =>
      respond(core, request, async (req) => {
        requireSuperuser(req.info);
        const rows = (await req.body(MAX_DRY_RUN_BODY)).values['rows'];
        if (!Array.isArray(rows)) throw new GalleyError('invalid', 'The body must be {"rows": [ … ]}: an array of row objects.');
        const out = await dryRunRecordImport(core, req.info, params.collection, rows, request.signal);
        const issues = out.failures.map((f) => ({ index: f.index, ...describeError(core, f.error) }));
        return json({ checked: out.checked, issues });
      }),
    );
}
