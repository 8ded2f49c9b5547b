import type { JsonObject } from '../../../src/util/json.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { stringify, parse } from 'yaml';
import { parseDaemonArgs, runValidateConfig } from '../../../src/config/cli.js';
import { PATRONI_VERSION } from '../../../src/version.js';
import { baseConfig, tempDir } from '../../support/config/fixtures.js';

describe('parseDaemonArgs', () => {
  test('modes', () => {
    assert.deepEqual(parseDaemonArgs(['/etc/patroni.yml']), { kind: 'run', configFile: '/etc/patroni.yml' });
    assert.deepEqual(parseDaemonArgs([]), { kind: 'run' });
    assert.deepEqual(parseDaemonArgs(['--version', 'x.yml']), { kind: 'version' });
    assert.deepEqual(parseDaemonArgs(['--validate-config', '-i', '-p', 'c.yml']), {
      kind: 'validate',
      ignoreListenPort: true,
      print: true,
      configFile: 'c.yml',
    });
    assert.deepEqual(parseDaemonArgs(['c.yml', '--ignore-listen-port', '--validate-config']), {
      kind: 'validate',
      ignoreListenPort: true,
      print: false,
      configFile: 'c.yml',
    });
    assert.deepEqual(parseDaemonArgs(['--validate-config', '-ip']), { kind: 'validate', ignoreListenPort: true, print: true });
    assert.equal(PATRONI_VERSION, '4.1.4');
  });

  test('errors: unknown option, extra positional, exclusive modes', () => {
    const err = (argv: string[]) => {
      const c = parseDaemonArgs(argv);
      return c.kind === 'error' ? c.message.split('\n')[1] : c.kind;
    };
    assert.equal(err(['--bogus']), 'patroni: error: unrecognized arguments: --bogus');
    assert.equal(err(['a.yml', 'b.yml']), 'patroni: error: unrecognized arguments: b.yml');
    assert.equal(
      err(['--validate-config', '--generate-sample-config']),
      'patroni: error: argument --generate-sample-config: not allowed with argument --validate-config',
    );
  });
});

describe('runValidateConfig', () => {
  const env = { PATH: process.env.PATH };
  const offline = (file: string) => ({ kind: 'validate' as const, configFile: file, ignoreListenPort: true, print: false });

  test('problems on stderr, one per line, exit 1', () => {
    const dir = tempDir();
    try {
      const cfg = baseConfig();
      delete cfg.scope;
      const file = dir.write('p.yml', stringify(cfg));
      const r = runValidateConfig(offline(file), env);
      assert.equal(r.exitCode, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^scope {2}is not defined\.\n/);
    } finally {
      dir.remove();
    }
  });

  test('loader errors are reported the same way', () => {
    const dir = tempDir();
    try {
      const r = runValidateConfig(offline(dir.write('bad.yml', 'a: [\n')), env);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /^Invalid YAML in .*bad\.yml at line 2, column 1: /);
      const missing = runValidateConfig(offline('/nonexistent.yml'), env);
      assert.deepEqual(missing, { exitCode: 1, stdout: '', stderr: 'Cannot read configuration file /nonexistent.yml: ENOENT: no such file or directory\n' });
      const empty = runValidateConfig({ kind: 'validate', ignoreListenPort: false, print: false }, {});
      assert.deepEqual(empty, { exitCode: 1, stdout: '', stderr: 'Config is empty.\n' });
    } finally {
      dir.remove();
    }
  });

  test('consul, kubernetes, raft: one line each, exit 1 (no backend yet)', () => {
    const dir = tempDir();
    try {
      const sections: [string, JsonObject][] = [
        ['consul', { host: '10.0.0.1:8500' }],
        ['kubernetes', { labels: { application: 'patroni' } }],
        ['raft', { self_addr: '10.0.0.1:2222', partner_addrs: [] }],
      ];
      for (const [kind, section] of sections) {
        const cfg = baseConfig();
        delete cfg.etcd3;
        cfg[kind] = section;
        const r = runValidateConfig(offline(dir.write(`${kind}.yml`, stringify(cfg))), env);
        assert.equal(r.exitCode, 1, kind);
        assert.equal(r.stderr, `${kind}: the ${kind} DCS is not supported by patroni-ts yet (use etcd3, etcd, zookeeper or exhibitor)\n`, kind);
      }
    } finally {
      dir.remove();
    }
  });

  test('valid config: silent exit 0 (a DCS without a backend is named in one line); --print dumps the merged config as YAML', () => {
    const dir = tempDir();
    try {
      const cfg = baseConfig();
      delete cfg.etcd3;
      cfg.raft = { self_addr: '10.0.0.1:2222', partner_addrs: [] };
      // An empty partner list keeps this check free of network probes.
      const file = dir.write('p.yml', stringify(cfg));
      const r = runValidateConfig({ ...offline(file), print: true }, { PATRONI_SCOPE: 'printed' });
      // Valid for Patroni, but patroni-ts has no raft backend yet: one line, no stack trace.
      assert.equal(r.stderr, 'raft: the raft DCS is not supported by patroni-ts yet (use etcd3, etcd, zookeeper or exhibitor)\n');
      assert.equal(r.exitCode, 1);
      const printed = parse(r.stdout) as Record<string, unknown>;
      assert.equal(printed.scope, 'printed');
      assert.deepEqual(Object.keys(printed), [...Object.keys(printed)].sort());
      assert.deepEqual(runValidateConfig(offline(file), {}).stdout, '');
      const valid = baseConfig();
      valid.etcd3 = { url: 'http://10.0.0.1:2379' };
      assert.deepEqual(runValidateConfig(offline(dir.write('v.yml', stringify(valid))), {}), { exitCode: 0, stdout: '', stderr: '' });
    } finally {
      dir.remove();
    }
  });
});
