// The collector UI's build: plain TypeScript modules bundled into dist/, which the Tauri
// binary embeds (`cargo build --features tauri/custom-protocol`). `npm run dev` serves the
// sources on :5173, the devUrl a debug build of the shell loads.
import { defineConfig } from "vite";

export default defineConfig({
  // Tauri serves dist/ from its own protocol root; relative asset URLs work on every platform.
  base: "./",
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+, Android System WebView and iOS 14+ WKWebView all run ES2020.
    target: "es2020",
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    strictPort: true,
  },
});
