import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The UI is embedded in the Go binary from ui/dist (see embed.go). `base: './'` keeps every asset
// URL relative, so the same build works at / and behind a reverse proxy under a sub-path.
// `npm run dev` proxies the API to a hub on 127.0.0.1:23000 (override with CCHUB_DEV_HUB).
const hub = process.env.CCHUB_DEV_HUB || 'http://127.0.0.1:23000';

export default defineConfig({
  base: './',
  plugins: [preact({ devToolsInProd: false, prefreshEnabled: true })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser we support has modulepreload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': hub, '/v1': hub },
  },
});
