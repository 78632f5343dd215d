/** `app.onRealtimeConnectRequest`, `app.onRealtimeSubscribeRequest`, `app.onRealtimeMessageSend` (hooks/realtime-hook-points.ts). */
import type { HookHandler } from '../hooks/hook-chain.ts';
import type { RealtimeConnectHookEvent, RealtimeMessageHookEvent, RealtimeSubscribeHookEvent } from '../hooks/realtime-hook-points.ts';
import type { AppPart } from './hooks-app.ts';

declare module './hooks-app.ts' {
  interface HooksApp {
    /** Before a client's SSE stream opens: throw to refuse it (e.g. `throw new app.ForbiddenError()`). */
    onRealtimeConnectRequest(handler: HookHandler<RealtimeConnectHookEvent>): void;
    /** Before a client's subscriptions are replaced: change `e.subscriptions`, or throw to refuse. */
    onRealtimeSubscribeRequest(handler: HookHandler<RealtimeSubscribeHookEvent>): void;
    /** Each message to each client: change `e.message`, or drop it by not calling `e.next()`. */
    onRealtimeMessageSend(handler: HookHandler<RealtimeMessageHookEvent>): void;
  }
}

export const realtimeHooksPart: AppPart = ({ registry }) => ({
  onRealtimeConnectRequest: (handler: HookHandler<RealtimeConnectHookEvent>) => registry.chain('onRealtimeConnectRequest').bind(handler),
  onRealtimeSubscribeRequest: (handler: HookHandler<RealtimeSubscribeHookEvent>) => registry.chain('onRealtimeSubscribeRequest').bind(handler),
  onRealtimeMessageSend: (handler: HookHandler<RealtimeMessageHookEvent>) => registry.chain('onRealtimeMessageSend').bind(handler),
});
