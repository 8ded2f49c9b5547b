// What the daemon's bundle evaluates at start: an etcd v3 daemon must not load the other DCS backends
// (ZooKeeper's client library alone is ~1.5 MiB of RSS) nor fetch's implementation (pg asks for
// `Response` at load: ~6.5 MiB). Read from esbuild's module graph with the options `npm run build` uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { bundleOptions } from '../../../scripts/bundle.mjs';

async function daemonGraph(): Promise<{ meta: Metafile; text: string }> {
  const r = await build({ ...bundleOptions('patroni'), write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
  return { meta: r.metafile, text: r.outputFiles.map((f) => f.text).join('\n') };
}

/** Inputs reachable from the entry through static imports and require() (evaluated at start). */
function loadedAtStart(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  for (let path = todo.pop(); path !== undefined; path = todo.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const i of meta.inputs[path]?.imports ?? []) if (i.kind !== 'dynamic-import' && !i.external) todo.push(i.path);
  }
  return seen;
}

test('daemon bundle: other DCS backends are in the file but imported only when configured', async () => {
  const { meta } = await daemonGraph();
  const all = Object.keys(meta.inputs);
  const atStart = loadedAtStart(meta, 'src/daemon/main.ts');
  const lazy = [/node_modules\/node-zookeeper-client\//, /^src\/dcs\/zookeeper\//, /^src\/dcs\/etcd2\//, /^src\/api\/dashboard\/(page|client|state)\.ts$/];
  for (const re of lazy) {
    assert.ok(
      all.some((p) => re.test(p)),
      `${re} is bundled`,
    );
    assert.deepEqual(
      [...atStart].filter((p) => re.test(p)),
      [],
      `${re} is not evaluated at start`,
    );
  }
  assert.ok(atStart.has('src/dcs/etcd3.ts'));
  assert.ok([...atStart].some((p) => /node_modules\/pg\/lib\/stream\.js$/.test(p)));
});

test("daemon bundle: pg's Cloudflare check does not load fetch (no global Response in pg's stream module)", async () => {
  const { text } = await daemonGraph();
  const start = text.indexOf('"node_modules/pg/lib/stream.js"(exports, module)');
  assert.ok(start >= 0, "pg's stream module is bundled");
  const module = text.slice(start, text.indexOf('\n// node_modules/', start));
  assert.match(module, /(const|var|let) Response = void 0;/);
  assert.match(module, /typeof Response === "function"/);
});
