// Bundles each executable into one ESM file so a command starts by reading one file
// (patronictl's start-up time is a goal) and so test daemons can run from a copy of it.
import { build } from 'esbuild';

const entries = { patroni: 'src/daemon/main.ts', patronictl: 'src/ctl/main.ts' };
await Promise.all(
  Object.entries(entries).map(([name, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/${name}.mjs`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      external: ['pg-native'],
      // Bundled CommonJS packages (pg) call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'warning',
    }),
  ),
);
