import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Two pages, built apart into one dist: the passenger app (seatback kiosk and phones) at `/` by
 * `vite build`, and the crew console at `/crew/` by `vite build --mode crew`. Built together,
 * what both used went into one shared chunk, and a seat evaluated the console's schemas at every
 * cold start. Relative base so the kiosk can also load the packaged copy from disk.
 */
export default defineConfig(({ mode }) => {
  const crew = mode === 'crew';
  return {
    root,
    plugins: [pureProtocolConstants()],
    base: './',
    build: {
      outDir: 'dist',
      // The crew build adds its files beside the seat's.
      emptyOutDir: !crew,
      target: 'es2022',
      sourcemap: false,
      // hls.js alone is ~580 KB minified; it is loaded only when a title is played.
      chunkSizeWarningLimit: 800,
      rollupOptions: {
        input: crew ? { crew: `${root}crew/index.html` } : ({ seat: `${root}index.html` } as Record<string, string>),
        // Every crew file is named crew-*: the seat's JavaScript budget (bench/seat.ts) leaves them out.
        output: crew
          ? {
              entryFileNames: 'assets/crew-[hash].js',
              chunkFileNames: 'assets/crew-[name]-[hash].js',
              assetFileNames: 'assets/crew-[name]-[hash][extname]',
            }
          : {
              // zod in a chunk of its own: merged into a small shared chunk (topics), it came with
              // the seat's start although no schema is checked before home is on screen.
              manualChunks: (id: string) => (/[\\/]node_modules[\\/]zod[\\/]/.test(id) ? 'zod' : undefined),
            },
        treeshake: {
          // protocol/ only declares constants and schemas (it knows no network, no storage): what
          // nobody imports is dropped, what only a lazy screen uses goes with that screen's chunk.
          // A zod schema is built when its module is evaluated, hundreds of them, and that cost a
          // seat most of its cold start (about 0.4 s at 4x CPU throttling) for schemas it never used.
          moduleSideEffects: [{ test: /[\\/]protocol[\\/]src[\\/]/, sideEffects: false }],
          // Building a schema has no effect but the schema (protocol registers none in zod's registries).
          manualPureFunctions: ['z'],
        },
      },
    },
  };
});

/**
 * protocol/ declares its schemas as top-level constants (`const x = z.object({…}).strict()`). The
 * bundler cannot tell that a chained call (`.strict()`, `.extend()`) has no effect, so a schema
 * nobody uses stayed in the seat's start chunk and was built at every cold start. Marking each
 * top-level initializer pure lets what no seat code reads be dropped.
 */
function pureProtocolConstants(): Plugin {
  return {
    name: 'pure-protocol-constants',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]protocol[\\/]src[\\/][^\\/]+\.ts$/.test(id) || id.endsWith('.test.ts')) return null;
      return {
        code: code.replace(/^((?:export )?const [\w$]+(?:: [^=\n]+)? = )(?=[\w$])/gm, '$1/* @__PURE__ */ '),
        map: null,
      };
    },
  };
}
