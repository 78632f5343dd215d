/**
 * Galley-only collection routes for the dashboard (PocketBase has neither):
 *
 * - `GET /api/galley/collections/meta`: whether this server accepts collection writes (and, when it does not,
 *   the message the collections API answers with, which says how to enable them), the schema file, and the JSON
 *   Schema of every field type and of the collection types (what the editor offers as options).
 * - `POST /api/galley/collections/plan`: a collections API change (create, update, delete or import, with the
 *   same body the API takes) checked and planned without applying it. A body that would be refused answers the
 *   same 400 the write would (rule errors under `data.listRule` …); otherwise the migration plan's steps, marked
 *   as `galley migrate plan` marks them (`[loses data]`, `[refused]`). `plan: false` only checks (the editor
 *   does that as a rule is typed).
 * - `POST /api/galley/oauth2/check-provider`: an auth collection's OAuth2 provider config checked against the
 *   provider itself (oauth2-provider-check.ts; docs/oauth2-provider-check.md).
 *
 * Superusers only; the plan is read from the schema file the write would change, so it needs the same
 * `serve --dev` / `--allow-collection-writes` as the write.
 */
import { Elysia } from 'elysia';
import type { Core } from '../core.ts';
import { countLossySteps, formatPlanSteps } from '../db/migrate/format-plan.ts';
import { previewMigration } from '../db/migrate/migrate-database.ts';
import { GalleyError, issue } from '../errors.ts';
import { json, respond } from '../http/route-kit.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { toCollectionJson } from '../schema/collection-json.ts';
import { generateSchemaJsonSchema } from '../schema/json-schema.ts';
import { fieldTypeNames } from '../schema/fields/registry.ts';
import { compactSchemaDocument, listEntryModels, readSchemaDocument } from '../schema/write-schema-file.ts';
import { requireCollectionModel, requireSuperuser } from './collections.ts';
import { createChange, deleteChange, importChange, requireBody, requireWritable, updateChange, type SchemaChange } from './collections-write.ts';
import { checkOAuth2Provider } from './oauth2-provider-check.ts';
import { buildLiveLoadOptions } from './schema-reload.ts';

export interface PlannedStep {
  description: string;
  details: string[];
  lossy: boolean;
  /** why it loses data ('' when it does not) */
  why: string;
  /** why the data forbids it ('' when it does not) */
  refused: string;
  checkedOnApply: boolean;
}

export interface CollectionPlan {
  steps: PlannedStep[];
  /** the steps as `galley migrate plan` prints them */
  lines: string[];
  lossy: number;
  refused: number;
  /** the changed collection as it would be saved (create/update), PocketBase's JSON */
  collection: Record<string, unknown> | null;
}

export function describeCollectionWrites(core: Core, info: RequestInfo) {
  requireSuperuser(info);
  let writable = true;
  let message = '';
  try {
    requireWritable(core);
  } catch (err) {
    if (!(err instanceof GalleyError)) throw err;
    writable = false;
    message = err.message;
  }
  const definitions = generateSchemaJsonSchema()['definitions'] as Record<string, unknown>;
  return {
    writable,
    message,
    schemaFile: core.config.schemaFile ?? null,
    fieldTypes: Object.fromEntries(fieldTypeNames().map((t) => [t, definitions[`${t}Field`]])),
    collectionTypes: { base: definitions['baseCollection'], auth: definitions['authCollection'], view: definitions['viewCollection'] },
  };
}

const ACTIONS = ['create', 'update', 'delete', 'import'] as const;

function pickChange(core: Core, body: Record<string, unknown>): { change: SchemaChange; id: string | null } {
  const action = body['action'];
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', {
      issues: { action: issue('validation_in_invalid', `Must be one of ${ACTIONS.join(', ')}.`) },
    });
  }
  if (action === 'import') return { change: importChange(core, body), id: null };
  if (action === 'create') return { change: createChange(requireBody(body['collection'])), id: null };
  const ident = body['id'];
  if (typeof ident !== 'string' || ident === '') {
    throw new GalleyError('invalid', 'An error occurred while validating the submitted data.', { issues: { id: issue('validation_required', 'Cannot be blank.') } });
  }
  const id = requireCollectionModel(core, ident).id;
  return action === 'delete' ? { change: deleteChange(core, id), id } : { change: updateChange(core, id, requireBody(body['collection'])), id };
}

export async function planCollectionChange(core: Core, info: RequestInfo, raw: unknown): Promise<CollectionPlan> {
  requireSuperuser(info);
  const { file } = requireWritable(core);
  const body = requireBody(raw);
  const { change, id } = pickChange(core, body);
  const doc = readSchemaDocument(file);
  const edit = change.build(doc, listEntryModels(core.schema, doc));
  let next;
  try {
    next = compactSchemaDocument({ ...doc, collections: edit.collections }, edit.touched, file, buildLiveLoadOptions(core));
  } catch (err) {
    throw change.mapError(err, edit);
  }
  const models = listEntryModels(next.schema, next.document);
  const changed = body['action'] === 'create' ? models.at(-1) : id ? next.schema.findCollection(id) : undefined;
  const collection = changed ? toCollectionJson(changed) : null;
  if (body['plan'] === false) return { steps: [], lines: [], lossy: 0, refused: 0, collection };
  const plan = await previewMigration(core.db, next.schema.collections);
  return {
    steps: plan.steps.map((s) => ({ description: s.description, details: s.details, lossy: s.lossy, why: s.why, refused: s.refused, checkedOnApply: s.checkedOnApply })),
    lines: formatPlanSteps(plan.steps),
    lossy: countLossySteps(plan.steps),
    refused: plan.steps.filter((s) => s.refused).length,
    collection,
  };
}

export function galleyCollectionRoutes(core: Core) {
  return new Elysia({ name: 'galley-collections' })
    .get('/api/galley/collections/meta', ({ request }) => respond(core, request, async (req) => json(describeCollectionWrites(core, req.info))))
    .post('/api/galley/collections/plan', ({ request }) =>
      respond(core, request, async (req) => json(await planCollectionChange(core, req.info, (await req.body()).values))),
    )
    // the auth options' provider "Test" button (oauth2-provider-check.ts); the made-up code's redirect is this server's
    .post('/api/galley/oauth2/check-provider', ({ request }) =>
      respond(core, request, async (req) =>
        json(await checkOAuth2Provider(core, req.info, (await req.body()).values, `${new URL(request.url).origin}/api/oauth2-redirect`))),
    );
}
