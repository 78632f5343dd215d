/**
 * An event's data as one subscriber group sees it: `{action, record}` with hidden fields, email visibility,
 * and the subscription's `expand` and `fields` options obeyed (wire: apis/realtime.go broadcastRecord).
 */
import type { Core } from '../core.ts';
import { pickFields } from '../query/fields.ts';
import { serializeRows } from '../records/list.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import type { CollectionModel } from '../schema/model.ts';

export interface PayloadInput {
  action: 'create' | 'update' | 'delete';
  collection: CollectionModel;
  row: Record<string, unknown>;
  info: RequestInfo;
  expand: string;
  fields: string;
}

export async function buildEventPayload(core: Core, input: PayloadInput): Promise<string> {
  const { collection, row, info } = input;
  let record: Record<string, unknown>;
  try {
    [record] = (await serializeRows(core, info, collection, [row], input.expand)) as [Record<string, unknown>];
  } catch (err) {
    // wire: an expand that fails is left out and the message still goes (PocketBase logs it at debug)
    core.log.debug('realtime expand failed', { expand: input.expand, error: String(err) });
    [record] = (await serializeRows(core, info, collection, [row], '')) as [Record<string, unknown>];
  }
  const picked = input.fields.trim() === '' ? record : safePick(record, input.fields);
  return JSON.stringify({ action: input.action, record: picked });
}

/** wire: a `fields` option that does not parse leaves the record whole. */
function safePick(record: Record<string, unknown>, fields: string): unknown {
  try {
    return pickFields(record, fields);
  } catch {
    return record;
  }
}
