// Bundles each executable into one ESM file so a command starts by reading one file
// (patronictl's start-up time is a goal) and so test daemons can run from a copy of it.
// Modules a given config does not use (other DCS backends) are dynamic imports: esbuild keeps them in
// the same file but evaluates them only when imported, so no code splitting (and no chunk files) is needed.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// pg's lib/stream.js asks `typeof Response === 'function'` at load to detect Cloudflare Workers. On
// Node 20 that one question loads fetch's implementation (undici, http2, zlib, perf_hooks): ~6.5 MiB
// of RSS in every daemon and tens of milliseconds at patronictl's start, for a runtime we never run
// on. Shadowing the global in that one module answers "not Cloudflare" without loading anything.
const PG_STREAM = /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/;
function pgWithoutFetch() {
  let seen = false;
  return {
    name: 'pg-without-fetch',
    setup(b) {
      b.onLoad({ filter: PG_STREAM }, async (args) => {
        seen = true;
        const source = await readFile(args.path, 'utf8');
        return { contents: `const Response = undefined; // scripts/bundle.mjs: no fetch at load\n${source}`, loader: 'js' };
      });
      b.onEnd(() => {
        if (!seen) throw new Error("scripts/bundle.mjs: pg's lib/stream.js was not bundled: check the pg-without-fetch plugin against this pg version");
      });
    },
  };
}

export const ENTRIES = { patroni: 'src/daemon/main.ts', patronictl: 'src/ctl/main.ts' };

/** esbuild's options for one executable (test/unit/scripts/bundle.test.ts reads the daemon's graph). */
export function bundleOptions(name) {
  return {
    entryPoints: [ENTRIES[name]],
    outfile: `dist/${name}.mjs`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    external: ['pg-native'],
    // Bundled CommonJS packages (pg) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [pgWithoutFetch()],
    logLevel: 'warning',
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await Promise.all(Object.keys(ENTRIES).map((name) => build(bundleOptions(name))));
}
