import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The browser app. `npm run build:modeler` writes modeler/dist, which the API serves at `/`. */
export default defineConfig({
  root,
  base: '/',
  // @bpmn-io/form-js-editor ships its own preact; two copies break its hooks (an empty editor).
  resolve: { dedupe: ['preact'] },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // bpmn-js is large by nature; one chunk per view is not worth the complexity here.
    chunkSizeWarningLimit: 2048,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.API_URL ?? 'http://localhost:3000', changeOrigin: true } },
  },
});
