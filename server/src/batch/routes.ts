import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { GalleyError, type FieldIssue } from '../errors.ts';
import { describeError, enforceSubRequestRateLimit, json, respond, type HttpRequest } from '../http/route-kit.ts';
import { parseBatchBody } from './parse-batch.ts';
import { BatchRequestFailed, runBatch, type SubRequestAdmission } from './run-batch.ts';

// wire: settings.batch.maxBodySize 0 means PocketBase's 128 MiB; timeout 0 means 3 s.
const DEFAULT_MAX_BODY = 128 * 1024 * 1024;
const DEFAULT_TIMEOUT_S = 3;

/** wire: a failed sub-request is named under `data.requests.<index>`, carrying its own error body. */
interface BatchIssue extends FieldIssue {
  response: unknown;
}

function failedBatch(core: Core, failure: BatchRequestFailed): GalleyError {
  const named: BatchIssue = { code: 'batch_request_failed', message: 'Batch request failed.', response: describeError(core, failure.cause) };
  return new GalleyError('invalid', 'Batch transaction failed.', { issues: { requests: { [String(failure.index)]: named } } });
}

async function readBatchBody(req: HttpRequest, limit: number) {
  try {
    return await req.body(limit);
  } catch (err) {
    // wire: a body that is not a readable batch form is this 400 (a body over the limit stays 413).
    if (err instanceof GalleyError && (err.kind === 'invalid' || err.kind === 'unsupported_media')) {
      throw new GalleyError('invalid', 'Failed to read the submitted batch data.', { cause: err });
    }
    throw err;
  }
}

/** `POST /api/batch`: record writes in one transaction (Galley ships it enabled, with PocketBase's limits). */
export function batchRoutes(core: Core) {
  return new Elysia({ name: 'galley-batch' }).post('/api/batch', ({ request }) =>
    respond(core, request, async (req) => {
      const limits = core.settings.current().batch;
      if (!limits.enabled || limits.maxRequests <= 0) throw new GalleyError('forbidden', 'Batch requests are not allowed.');
      const body = await readBatchBody(req, limits.maxBodySize > 0 ? limits.maxBodySize : DEFAULT_MAX_BODY);
      const requests = parseBatchBody(body.values, body.files, limits.maxRequests);
      const timeoutMs = (limits.timeout > 0 ? limits.timeout : DEFAULT_TIMEOUT_S) * 1000;
      try {
        const admit = (sub: SubRequestAdmission) => enforceSubRequestRateLimit(core, req, sub);
        const outcomes = await runBatch(core, req.info, requests, { timeoutMs, signal: request.signal, admit });
        // wire: `{body, status}` per sub-request, in order; a delete is 204 with a null body.
        return json(outcomes.map((o) => ({ body: o.body, status: o.body === null ? 204 : 200 })));
      } catch (err) {
        throw err instanceof BatchRequestFailed ? failedBatch(core, err) : err;
      }
    }),
  );
}
