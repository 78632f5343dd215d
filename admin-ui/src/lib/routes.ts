/**
 * Every page of the dashboard: add a row here and a file under src/pages/. Patterns are matched in order.
 * `#/auth/…` links (mailed confirmations, OAuth2 results) are not here: main.ts hands them to the server's
 * confirmation page before the app starts.
 */
import type { RouteDef } from './router.svelte.ts';

export const routes: readonly RouteDef[] = [
  { pattern: '/login', title: 'Sign in', public: true, load: () => import('../pages/SignIn.svelte') },
  { pattern: '/install', title: 'Create the first superuser', public: true, load: () => import('../pages/Install.svelte') },
  { pattern: '/', title: 'Overview', load: () => import('../pages/Home.svelte') },
  { pattern: '/collections/:name', title: 'Collection', load: () => import('../pages/Collection.svelte') },
];

/** shown when no pattern matches */
export const notFoundRoute: RouteDef = { pattern: '*', title: 'Not found', load: () => import('../pages/NotFound.svelte') };
