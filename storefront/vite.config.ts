import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run build -w @commerce-supergraph/storefront` writes dist/, which the gateway serves on its
 * own origin (STOREFRONT_DIR), so the app reaches /graphql with no CORS. `npm run dev` proxies
 * /graphql (HTTP and WebSocket) to a gateway on GATEWAY_URL (http://localhost:4000 by default).
 */
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  // React, Apollo Client and graphql-js make one ~450 kB chunk (~135 kB gzipped): fine for a store of this size.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/graphql': { target: gateway, ws: true, changeOrigin: true } } },
});
