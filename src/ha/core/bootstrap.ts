// Empty data directory: initialise a new cluster, or clone from the leader (Patroni's Ha.bootstrap).
import { withBootstrapWatchdog } from './watchdog.js';
import { nofailover } from '../../config/tags.js';
import { isValidSysid, type Cluster, type Member } from '../../dcs/cluster.js';
import { attempt, plan, setMemory, type Action, type Decision } from './decision.js';
import type { HaInput } from './input.js';
import { followTarget, isStandbyCluster, remoteUpstream } from './standby.js';
import { upstreamOf } from './upstream.js';

export function bootstrap(input: HaInput): Decision {
  const { cluster, me } = input;
  const standby = isStandbyCluster(input.config);
  const remote = standby ? remoteUpstream(input.config) : null;
  const methods = replicaMethods(input);
  // A standby cluster fed only by restore_command has no host: its methods must need no connection.
  const standbyMethods = remote ? methods : methods.filter((m) => withoutLeader(input, m));
  if (!cluster.leader && cluster.initialize === null && !nofailover(me.tags) && me.canBootstrap && standby && standbyMethods.length) {
    return attempt(
      'initialize_race',
      plan('trying to bootstrap a new standby leader', setMemory({ bootstrap: { stage: 'standby_leader' }, role: 'uninitialized' }), {
        type: 'run_async',
        task: { kind: 'bootstrap_standby_leader', name: 'bootstrap_standby_leader', from: remote, methods: standbyMethods },
      }),
      plan('failed to acquire initialize lock'),
    );
  }
  if (!cluster.leader && cluster.initialize === null && !nofailover(me.tags) && me.canBootstrap && !standby) {
    return attempt(
      'initialize_race',
      plan('trying to bootstrap a new cluster', setMemory({ bootstrap: { stage: 'initdb' }, role: 'uninitialized' }), {
        type: 'run_async',
        task: { kind: 'bootstrap', name: 'bootstrap' },
      }),
      plan('failed to acquire initialize lock'),
    );
  }
  const leader = cluster.leader;
  if (leader && leader.name !== me.name) {
    const source = cloneSource(cluster, me.name, input.now);
    if (source) {
      const from = upstreamOf(source.member);
      if (from) {
        const what = source.isLeader ? `leader '${source.member.name}'` : `replica '${source.member.name}'`;
        return plan(`trying to bootstrap from ${what}`, {
          type: 'run_async',
          task: { kind: 'clone', name: `bootstrap from ${what}`, from, methods, follow: followTarget(input).upstream },
        });
      }
    }
  }
  // No leader, but a method can make a replica without one (from a backup store); not while
  // another node bootstraps the cluster (initialize key "").
  const withoutSource = methods.filter((m) => withoutLeader(input, m));
  if (!leader && withoutSource.length && cluster.initialize !== '') {
    return plan('trying to bootstrap (without leader)', {
      type: 'run_async',
      task: { kind: 'clone', name: 'bootstrap (without leader)', from: null, methods: withoutSource, follow: followTarget(input).upstream },
    });
  }
  return plan(standby ? 'waiting for standby_leader to bootstrap' : 'waiting for leader to bootstrap');
}

/** standby_cluster.create_replica_methods in a standby cluster, else postgresql.create_replica_methods. */
function replicaMethods(input: HaInput): string[] {
  const sc = input.config.standby_cluster;
  const fromStandby = sc && Array.isArray(sc.create_replica_methods) ? sc.create_replica_methods.filter((m): m is string => typeof m === 'string') : [];
  const methods = fromStandby.length ? fromStandby : input.me.replicaMethods;
  return methods.length ? methods : ['basebackup'];
}

/** Patroni's replica_method_can_work_without_replication_connection. */
const withoutLeader = (input: HaInput, method: string): boolean => method !== 'basebackup' && input.me.noLeaderMethods.includes(method);

/** Cluster.get_clone_member: a running member tagged clonefrom (not me, not the leader), else the leader. */
export function cloneSource(cluster: Cluster, myName: string, seed: number): { member: Member; isLeader: boolean } | null {
  const leaderName = cluster.leader?.name;
  const tagged = cluster.members.filter(
    (m) => m.name !== myName && m.name !== leaderName && m.data.state === 'running' && m.data.tags?.['clonefrom'] === true && upstreamOf(m),
  );
  if (tagged.length > 0) return { member: tagged[Math.floor(seed) % tagged.length]!, isLeader: false };
  const leaderMember = cluster.leader?.member ?? cluster.members.find((m) => m.name === leaderName);
  return leaderMember ? { member: leaderMember, isLeader: true } : null;
}

/** Bootstrap in progress or finished: post_bootstrap, then publish the cluster (Ha.post_bootstrap). */
export function postBootstrap(input: HaInput): Decision {
  const { pg, memory } = input;
  const stage = memory.bootstrap.stage;
  const outcome = input.lastAsync;
  const forget: Action[] = outcome ? [{ type: 'forget_async_outcome' }] : [];
  // Ha.cancel_initialization: the initialize key back, PostgreSQL stopped, its data set aside, exit.
  const failed = (why: string): Decision =>
    plan(
      `Failed to bootstrap cluster: ${why}`,
      { type: 'log', level: 'info', message: 'removing initialize key after failed attempt to bootstrap the cluster' },
      { type: 'cancel_initialization' },
      { type: 'stop_postgres', mode: 'immediate' },
      { type: 'move_data_directory' },
      setMemory({ bootstrap: { stage: 'none' } }),
      ...forget,
      { type: 'exit', code: 1, reason: 'Failed to bootstrap cluster' },
    );

  if (outcome && !outcome.ok) return failed(`${outcome.task.name} failed`);
  if (!pg.postmasterRunning) return failed('PostgreSQL is not running');
  if (stage === 'standby_leader') {
    const standbySysid = pg.dataDir.kind === 'present' ? pg.dataDir.sysid : null;
    if (!isValidSysid(standbySysid)) return failed('no system identifier');
    return plan(
      'initialized a new cluster',
      { type: 'write_initialize', createNew: false, sysid: standbySysid },
      { type: 'publish_config' },
      { type: 'take_leader' },
      { type: 'sync_slots' },
      setMemory({ bootstrap: { stage: 'none' }, role: 'standby_leader' }),
      ...forget,
      { type: 'run_callback', action: 'on_start', role: 'standby_leader', endBootstrap: true },
    );
  }
  if (stage === 'initdb') {
    if (!pg.server || pg.server.inRecovery) return plan('waiting for end of recovery after bootstrap');
    return plan('running post_bootstrap', setMemory({ bootstrap: { stage: 'post_bootstrap' }, role: 'primary' }), ...forget, {
      type: 'run_async',
      task: { kind: 'post_bootstrap', name: 'post_bootstrap' },
    });
  }
  const sysid = pg.dataDir.kind === 'present' ? pg.dataDir.sysid : null;
  if (!isValidSysid(sysid)) return failed('no system identifier');
  // Ha.post_bootstrap: the new primary needs its watchdog before it takes the leader key.
  return withBootstrapWatchdog(
    input,
    failed('watchdog activation failed'),
    plan(
      'initialized a new cluster',
      { type: 'write_initialize', createNew: false, sysid },
      { type: 'publish_config' },
      { type: 'take_leader' },
      // Replicas waiting for us clone next: their slots must exist before their first connection,
      // or their WAL receivers retry only after wal_retrieve_retry_interval.
      { type: 'sync_slots' },
      setMemory({ bootstrap: { stage: 'none' }, role: 'primary' }),
      ...forget,
      // Ha.post_bootstrap: callbacks were held back while bootstrapping; the first one is on_start.
      { type: 'run_callback', action: 'on_start', role: 'primary', endBootstrap: true },
    ),
  );
}
