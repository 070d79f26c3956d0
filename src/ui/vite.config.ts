import { defineConfig } from 'vite';

// `vite build src/ui` (npm run build) writes the web app to dist/ui, which the server serves at `/`.
// JSX needs no plugin: Vite 8 compiles .tsx with Oxc, using the automatic React runtime.
// `vite src/ui` (npm run ui:dev) serves it with reloads and sends /api to an Errata on port 9000.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:9000' } },
});
