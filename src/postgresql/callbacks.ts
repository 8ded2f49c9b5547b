// The controller's side of callbacks: holds the pure CallbackState, feeds it the operations the
// controller performs, and hands what fires to the CallbackExecutor (never awaited).
import type { PatroniConfig } from '../config/types.js';
import { log } from '../log/logger.js';
import { CallbackExecutor } from '../scripts/callback-executor.js';
import { callbackCommand, type CallbackAction } from '../scripts/commands.js';
import { runScript } from '../scripts/runner.js';
import { shlexSplit } from '../scripts/shlex.js';
import * as cs from './callback-state.js';

export class PgCallbacks {
  private s: cs.CallbackState;
  readonly executor = new CallbackExecutor();

  constructor(
    private readonly cfg: () => PatroniConfig,
    role: cs.PgRole,
  ) {
    this.s = cs.initialCallbackState(role);
  }

  get state(): cs.CallbackState {
    return this.s;
  }
  get role(): cs.PgRole {
    return this.s.role;
  }
  setRole(role: cs.PgRole): void {
    this.s = cs.setRole(this.s, role);
  }
  setBootstrapping(on: boolean): void {
    this.s = { ...this.s, bootstrapping: on };
  }

  private run(step: cs.Step): void {
    this.s = step.state;
    if (!step.fire) return;
    const config = this.cfg();
    const cmd = config.postgresql.callbacks[step.fire.action];
    if (!cmd) return;
    try {
      this.executor.call(callbackCommand(cmd, step.fire.action, step.fire.role, config.scope));
    } catch (e) {
      log.error('callback %s %s %s %s failed: %s', cmd, step.fire.action, step.fire.role, config.scope, e instanceof Error ? e.message : String(e));
    }
  }

  /** A callback decided by the HA cycle itself (e.g. on_start once a new cluster is initialized). */
  call(action: CallbackAction, role?: cs.PgRole): void {
    if (role) this.setRole(role);
    this.run(cs.fire(this.s, action));
  }

  startRequested(role: cs.PgRole, block: boolean): void {
    this.s = cs.startRequested(this.s, role, block);
  }
  started(): void {
    this.run(cs.started(this.s));
  }
  stopped(signalled: boolean, block: boolean): void {
    this.run(cs.stopped(this.s, signalled, block));
  }
  restartRequested(block: boolean): void {
    this.s = cs.restartRequested(this.s, block);
  }
  reloaded(block: boolean): void {
    this.run(cs.reloaded(this.s, block));
  }
  promoted(): void {
    this.run(cs.promoted(this.s));
  }
  followChangesRole(role: 'replica' | 'standby_leader'): boolean {
    const change = cs.followChangesRole(this.s, role);
    if (change) this.s = { ...this.s, pending: 'noop' };
    return change;
  }

  /** pre_promote: true when absent or exit code 0 (Postgresql._pre_promote). */
  async prePromote(): Promise<boolean> {
    const cmd = this.cfg().postgresql.raw.pre_promote;
    if (typeof cmd !== 'string' || !cmd) return true;
    const code = await runScript(shlexSplit(cmd));
    if (code !== null) log.info('pre_promote script `%s` exited with %s', cmd, code);
    return code === 0;
  }

  /** before_stop: run to completion before PostgreSQL is stopped; its exit code only logged. */
  async beforeStop(): Promise<void> {
    const cmd = this.cfg().postgresql.raw.before_stop;
    if (typeof cmd !== 'string' || !cmd) return;
    try {
      const code = await runScript(shlexSplit(cmd));
      if (code !== null) log.info('before_stop script `%s` exited with %s', cmd, code);
    } catch (e) {
      log.error('Exception when calling `%s`: %s', cmd, e instanceof Error ? e.message : String(e));
    }
  }
}
