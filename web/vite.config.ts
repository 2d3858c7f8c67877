// Vite build of the console SPA: root web/, output web/dist (served by the Fastify app at `/`).
// `npm run dev:web` serves it with hot reload and proxies the APIs to a Signet on 127.0.0.1:8080.
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const backend = process.env.SIGNET_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the server's Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
  },
  server: {
    // The browser generates key pairs with src/client/signer.ts, outside web/.
    fs: { allow: [repo] },
    proxy: { '/console/api': backend, '/api': backend, '/wapi': backend, '/docs': backend },
  },
});
