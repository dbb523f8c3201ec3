// The dashboard's build: plain TypeScript modules bundled into dist/, which build.rs embeds
// in terreno-server. `npm run dev` serves the sources with the API of a server running on
// :8080 (`scripts/demo`) behind the same origin, live feed included.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Browsers supervisors use are evergreen; no legacy bundle.
    target: "es2022",
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8080", ws: true },
    },
  },
});
