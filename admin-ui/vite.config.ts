// Vite builds the dashboard to admin-ui/dist; scripts/build.ts embeds those files in the binary at /_/.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  plugins: [svelte()],
  // relative URLs: the files are served under /_/ (or wherever an embedding program mounts them)
  base: './',
  // @galley/sdk is a workspace package: its TypeScript sources, no build of it needed first
  resolve: { conditions: ['galley-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // the strict CSP allows no inline script; modern browsers need no modulepreload polyfill
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite` in admin-ui/ during development: API calls go to a running `galley serve`
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
});
