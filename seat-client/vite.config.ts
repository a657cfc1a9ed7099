import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Two pages: the passenger app (seatback kiosk and phones) at `/` and the crew console at
 * `/crew/`. Relative base so the kiosk can also load the packaged copy from disk.
 */
export default defineConfig({
  root,
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // hls.js alone is ~580 KB minified; it is loaded only when a title is played.
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: { seat: `${root}index.html`, crew: `${root}crew/index.html` },
      treeshake: {
        // protocol/ only declares constants and schemas (it knows no network, no storage): a module
        // of it nobody uses is dropped, and one used only by a lazy screen goes with that screen's
        // chunk. Otherwise importing `paths` evaluated every schema of the protocol at cold start.
        moduleSideEffects: [{ test: /[\\/]protocol[\\/]src[\\/]/, sideEffects: false }],
      },
    },
  },
});
