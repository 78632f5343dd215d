/** GET/PATCH /api/settings: superusers read and change the app settings (secrets never sent back). */
import type { Core } from '../core.ts';
import { GalleyError } from '../errors.ts';
import type { RequestInfo } from '../rules/request-info.ts';
import { requireSuperuser } from './collections.ts';
import { mergeSettings, toSettingsJson } from './settings-model.ts';
import { validateSettings } from './settings-validate.ts';

const SAVE_FAILED = 'An error occurred while saving the new settings.';

export function readSettingsJson(core: Core, info: RequestInfo): Record<string, unknown> {
  requireSuperuser(info);
  return toSettingsJson(core.settings.current());
}

/** wire: the body is merged over the current settings; any problem is PocketBase's 400 with the field tree. */
export async function patchSettings(core: Core, info: RequestInfo, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  requireSuperuser(info);
  const { settings, issues } = mergeSettings(core.settings.current(), body);
  // Values of the wrong type are reported first; the rest is validated once the shape is right.
  const problems = Object.keys(issues).length > 0 ? issues : validateSettings(settings);
  if (Object.keys(problems).length > 0) throw new GalleyError('invalid', SAVE_FAILED, { issues: problems });
  await core.settings.save(settings);
  return toSettingsJson(core.settings.current());
}
