// npm ci / npm install: build the watchdog ioctl addon (native/watchdog.c) with npm's bundled node-gyp.
// Node's own headers are used when they sit next to the node binary (Debian's nodejs, the official
// tarballs), so no download is needed. Linux only: elsewhere the Linux watchdog driver does not exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

if (process.platform !== 'linux') {
  console.log('build-native: not Linux, skipping the watchdog addon');
  process.exit(0);
}
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...args, 'rebuild', ...nodedir], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build-native: building the watchdog addon failed (needs g++, make, python3 and Node headers)');
  process.exit(r.status ?? 1);
}
