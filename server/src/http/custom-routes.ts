/**
 * The hooks file's routes (`app.routerAdd`) answered behind the built-in ones: http/app.ts's catch-all asks the
 * current registry before its 404. A custom route runs through `respond` like any built-in route, so it gets the
 * same auth token → caller, superuser IP check, rate limits, body limits, request log and error shape.
 */
import type { Core } from '../core.ts';
import { findCustomRoute } from '../hooks/router-hook-points.ts';
import { respond, type Reply } from './route-kit.ts';

/** The answer of the custom route for this request, or undefined when none takes it. */
export async function answerCustomRoute(core: Core, request: Request): Promise<Response | undefined> {
  const registry = core.hooks.registry;
  if (!registry.find('routerAdd')) return undefined;
  const found = await findCustomRoute(registry, request.method, new URL(request.url).pathname);
  if (!found) return undefined;
  return respond(core, request, async (req): Promise<Reply> => {
    const answer = await found.route.handler(req, found.params);
    return 'response' in answer ? answer : { json: answer.json, status: answer.status };
  });
}
