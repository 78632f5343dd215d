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
  { pattern: '/new-collection', title: 'New collection', load: () => import('../pages/CollectionEditor.svelte') },
  { pattern: '/collections/:name/schema', title: 'Collection schema', load: () => import('../pages/CollectionEditor.svelte') },
  { pattern: '/collections/:name/api', title: 'API preview', load: () => import('../pages/CollectionApi.svelte') },
  { pattern: '/transfer-collections', title: 'Import and export collections', load: () => import('../pages/CollectionsTransfer.svelte') },
  { pattern: '/logs', title: 'Logs', load: () => import('../pages/Logs.svelte') },
  { pattern: '/crons', title: 'Crons', load: () => import('../pages/Crons.svelte') },
  { pattern: '/sql', title: 'SQL console', load: () => import('../pages/Sql.svelte') },
  { pattern: '/backups', title: 'Backups', load: () => import('../pages/Backups.svelte') },
  { pattern: '/settings', title: 'Settings', load: () => import('../pages/Settings.svelte') },
];

/** shown when no pattern matches */
export const notFoundRoute: RouteDef = { pattern: '*', title: 'Not found', load: () => import('../pages/NotFound.svelte') };
