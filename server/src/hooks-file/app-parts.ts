/**
 * Every family's app part, merged into the one `app` a hooks file receives (hooks-app.ts). A new family adds its
 * part here (one import, one entry) and its methods' types to `HooksApp` from its own file.
 */
import { authHooksPart } from './app-auth-hooks.ts';
import { recordHooksPart } from './app-record-hooks.ts';
import { recordsAppPart } from './app-records.ts';
import { toolsAppPart } from './app-tools.ts';
import type { AppPart } from './hooks-app.ts';
import { cronPart } from './app-cron.ts';
import { lifecycleHooksPart } from './app-lifecycle-hooks.ts';
import { mailHooksPart } from './app-mail-hooks.ts';
import { realtimeHooksPart } from './app-realtime-hooks.ts';
import { routerPart } from './app-router.ts';

export const APP_PARTS: readonly AppPart[] = [recordHooksPart, recordsAppPart, toolsAppPart, routerPart, cronPart, mailHooksPart, realtimeHooksPart, lifecycleHooksPart, authHooksPart];
