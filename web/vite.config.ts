import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The web app is built into web/dist and served by the API server itself (src/http/web.ts), so it shares its origin and strict CSP. */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Plot and the county outlines make one chunk of a few hundred kB; that is acceptable for a government service without a CDN.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `vite --config web/vite.config.ts` during development: the API runs on PORT 3000 (npm run dev).
    proxy: { '/api': 'http://127.0.0.1:3000', '/auth': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
  },
});
