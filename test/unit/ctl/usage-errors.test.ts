// click's usage-error conventions: exit 2 and the exact three-part message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function ctl(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/ctl/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATRONICTL_CONFIG_FILE: '', DCS_URL: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const usage = (cmd: string, usageLine: string, error: string) => `Usage: ${usageLine}\nTry 'patronictl ${cmd} --help' for help.\n\nError: ${error}\n`;

test('bad option values, unknown options and commands exit 2 with click texts', () => {
  const rows: [string[], string][] = [
    [
      ['list', '-f', 'xml'],
      usage(
        'list',
        'patronictl list [OPTIONS] [CLUSTER_NAMES]...',
        "Invalid value for '--format' / '-f': 'xml' is not one of 'pretty', 'tsv', 'json', 'yaml', 'yml'.",
      ),
    ],
    [['list', '--bogus'], usage('list', 'patronictl list [OPTIONS] [CLUSTER_NAMES]...', 'No such option: --bogus')],
    [['list', '-w', 'x'], usage('list', 'patronictl list [OPTIONS] [CLUSTER_NAMES]...', "Invalid value for '-w' / '--watch': 'x' is not a valid float.")],
    [['history', '--group', 'g'], usage('history', 'patronictl history [OPTIONS] [CLUSTER_NAME]', "Invalid value for '--group': 'g' is not a valid integer.")],
    [
      ['dsn', '-r', 'master'],
      usage(
        'dsn',
        'patronictl dsn [OPTIONS] [CLUSTER_NAME]',
        "Invalid value for '--role' / '-r': 'master' is not one of 'leader', 'primary', 'standby-leader', 'replica', 'standby', 'any'.",
      ),
    ],
    [['dsn', 'a', 'b'], usage('dsn', 'patronictl dsn [OPTIONS] [CLUSTER_NAME]', 'Got unexpected extra argument (b)')],
    [['nosuch'], "Usage: patronictl [OPTIONS] COMMAND [ARGS]...\nTry 'patronictl --help' for help.\n\nError: No such command 'nosuch'.\n"],
  ];
  for (const [args, stderr] of rows) {
    const r = ctl(...args);
    assert.equal(r.stderr, stderr, args.join(' '));
    assert.equal(r.code, 2, args.join(' '));
  }
});

test('command errors exit 1 with `Error: <message>`', () => {
  const r = ctl('-c', '/nonexistent/patronictl.yaml', 'list');
  assert.equal(r.stderr, 'Error: Provided config file /nonexistent/patronictl.yaml not existing or no read rights. Check the -c/--config-file parameter\n');
  assert.equal(r.code, 1);
  const mutual = ctl('--dcs-url', 'etcd3://127.0.0.1:1', 'dsn', 'x', '-r', 'leader', '-m', 'y');
  assert.equal(mutual.stderr, 'Error: --role and --member are mutually exclusive options\n');
  assert.equal(mutual.code, 1);
  const scheme = ctl('--dcs-url', 'redis://x', 'list', 'x');
  assert.equal(scheme.stderr, 'Error: Unknown dcs scheme: redis\n');
  const version = ctl('version');
  assert.equal(version.stdout, 'patronictl version 4.1.4\n');
  assert.equal(version.code, 0);
});
