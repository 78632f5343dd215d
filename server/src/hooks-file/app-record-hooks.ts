/** `app.onRecord*(handler, ...collectionNames)`: the record families' registration (hooks/record-hook-registry.ts). */
import type { HookHandler } from '../hooks/hook-chain.ts';
import { RECORD_HOOK_NAMES, recordChain, type RecordAuthHookEvent, type RecordModelHookEvent, type RecordRequestHookEvent, type RecordSuccessHookEvent } from '../hooks/record-hook-registry.ts';
import type { AppPart } from './hooks-app.ts';

type Bind<E> = (handler: HookHandler<E>, ...collections: string[]) => void;

declare module './hooks-app.ts' {
  interface HooksApp {
    onRecordCreateRequest: Bind<RecordRequestHookEvent>;
    onRecordUpdateRequest: Bind<RecordRequestHookEvent>;
    onRecordDeleteRequest: Bind<RecordRequestHookEvent>;
    onRecordViewRequest: Bind<RecordRequestHookEvent>;
    onRecordListRequest: Bind<RecordRequestHookEvent>;
    onRecordAuthRequest: Bind<RecordAuthHookEvent>;
    onRecordAuthRefreshRequest: Bind<RecordRequestHookEvent>;
    onRecordValidate: Bind<RecordModelHookEvent>;
    onRecordCreate: Bind<RecordModelHookEvent>;
    onRecordUpdate: Bind<RecordModelHookEvent>;
    onRecordDelete: Bind<RecordModelHookEvent>;
    onRecordAfterCreateSuccess: Bind<RecordSuccessHookEvent>;
    onRecordAfterUpdateSuccess: Bind<RecordSuccessHookEvent>;
    onRecordAfterDeleteSuccess: Bind<RecordSuccessHookEvent>;
  }
}

export const recordHooksPart: AppPart = ({ registry }) =>
  Object.fromEntries(RECORD_HOOK_NAMES.map((name) => [name, (handler: HookHandler<any>, ...collections: string[]) => recordChain(registry, name).bind(handler, ...collections)]));
