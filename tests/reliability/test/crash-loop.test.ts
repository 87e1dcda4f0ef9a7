import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { openWalkeeper, type SqliteRow } from '@walkeeper/core';
import { migrations } from '@walkeeper/migrations';
import { sizeCapped } from '@walkeeper/strategies';
import { afterAll, describe, expect, test } from 'vitest';
import { type CheckReport, checkCrashDatabase, type Query } from './crash-check.js';
import { crashMigrations } from './fixtures/crash-schema.mjs';
import { prng } from './fixtures/prng.mjs';
import {
  driver,
  envNumber,
  exited,
  LONG,
  MiB,
  newPath,
  removeTempDirs,
  runSeed,
  runtime,
  spawnFixture,
} from './support.js';

/** What the crash-writer child is told (one JSON argument). */
export interface CrashChildConfig {
  path: string;
  seed: number;
  /** The named moment the child announces over IPC, if any. */
  announce: NamedMoment | undefined;
  /** Migrations the child registers: a new one makes its open run a migration. */
  migrations: number;
  synchronous: Synchronous;
  maxWalBytes: number;
  /** Transactions kept: past this, each transaction deletes the oldest (a tombstone records it). */
  keep: number;
  firstId: number;
}

type NamedMoment = 'checkpoint' | 'reset' | 'migration' | 'pool-restart';
type Moment = 'random' | NamedMoment;
type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

type ChildMessage =
  | { t: 'ready' }
  | { t: 'commit'; id: number }
  | { t: 'enter' | 'done'; what: NamedMoment; seq: number }
  | { t: 'violation' | 'error' | 'fatal'; where?: string; code?: string; message?: string };

/**
 * The order moments come round in: a third of the kills at random moments (from the start of
 * the process, so some land while it opens and recovers), the rest at each named moment.
 */
const ROTATION: readonly Moment[] = [
  'random',
  'checkpoint',
  'random',
  'reset',
  'migration',
  'pool-restart',
];
/** Longest wait after "entering X" before the kill, per moment: about as long as X lasts. */
const KILL_DELAY_MS: Record<NamedMoment, number> = {
  checkpoint: 3,
  reset: 6,
  migration: 40,
  'pool-restart': 80,
};
const SYNCHRONOUS: readonly Synchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

const KILLS = envNumber('WALKEEPER_CRASH_KILLS', LONG ? 240 : 30);
const SEED = runSeed();

interface MomentFigures {
  kills: number;
  /** The kill was sent after "entering" and before the parent heard the moment end. */
  inside: number;
  /** The moment never came within the time allowed; the process was killed anyway. */
  missed: number;
}

interface Figures {
  runtime: string;
  seed: number;
  kills: number;
  moments: Record<Moment, MomentFigures>;
  committedReported: number;
  rowsChecked: number;
  lost: number;
  partial: number;
  killedBeforeReady: number;
  walkeeperReopens: number;
  seconds: number;
}

afterAll(removeTempDirs);

async function checkReadOnly(
  path: string,
  reported: ReadonlySet<number>,
  count: number,
): Promise<CheckReport> {
  const connection = driver.open(path, { readonly: true, fileMustExist: true });
  try {
    const query: Query = async (sql) => connection.prepare(sql).all();
    return await checkCrashDatabase(query, reported, count);
  } finally {
    connection.close();
  }
}

/** Opens as an application would (migrations, strategy, pool): no repair step, no help. */
async function checkThroughWalkeeper(
  path: string,
  reported: ReadonlySet<number>,
  count: number,
): Promise<CheckReport> {
  const wk = await openWalkeeper({
    path,
    driver,
    plugins: [migrations({ migrations: crashMigrations(count) }), sizeCapped({ maxWalBytes: MiB })],
  });
  try {
    const query: Query = (sql) => wk.read<SqliteRow>(sql);
    const report = await checkCrashDatabase(query, reported, count);
    // The open just ran any migration a kill interrupted: now every one is applied.
    for (let version = 1; version <= count; version++) {
      if (!report.applied.includes(version))
        report.problems.push(`migration ${version} not applied after a clean open`);
    }
    return report;
  } finally {
    await wk.close();
  }
}

interface Cycle {
  moment: Moment;
  inside: boolean;
  missed: boolean;
  ready: boolean;
  problems: string[];
}

/** Runs one child and kills it as the plan says; resolves once it is dead. */
async function runChild(
  child: ChildProcess,
  moment: Moment,
  random: () => number,
  reported: Set<number>,
): Promise<Cycle> {
  const cycle: Cycle = { moment, inside: false, missed: false, ready: false, problems: [] };
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  // Checkpoints and resets come round every few milliseconds: let the child write for a while
  // first, so a kill meets a WAL with history, then skip a few more.
  const periodic = moment === 'checkpoint' || moment === 'reset';
  const armAfterMs = periodic ? Math.floor(random() * 400) : 0;
  let armedAt = Number.POSITIVE_INFINITY;
  let skip = periodic ? Math.floor(random() * 4) : 0;
  let target: number | undefined;
  let targetDone = false;
  child.on('message', (message: ChildMessage) => {
    switch (message.t) {
      case 'commit':
        reported.add(message.id);
        break;
      case 'ready':
        cycle.ready = true;
        armedAt = performance.now() + armAfterMs;
        break;
      case 'enter': {
        if (moment === 'random' || message.what !== moment || target !== undefined || killed) break;
        // A migration runs while the child opens, before it is ready.
        if (periodic && performance.now() < armedAt) break;
        if (skip-- > 0) break;
        target = message.seq;
        // Half the time at once, else somewhere in the time the moment usually lasts.
        const delay = random() < 0.5 ? 0 : Math.floor(random() * (KILL_DELAY_MS[moment] + 1));
        const fire = () => {
          cycle.inside = !targetDone;
          kill();
        };
        if (delay === 0) fire();
        else setTimeout(fire, delay);
        break;
      }
      case 'done':
        if (message.seq === target) targetDone = true;
        break;
      default:
        cycle.problems.push(`child ${message.t}: ${JSON.stringify(message)}`);
    }
  });
  const deadline = setTimeout(
    () => {
      if (moment !== 'random') cycle.missed = true;
      kill();
    },
    moment === 'random' ? Math.floor(random() * 1000) : 4000,
  );
  const { code, signal } = await exited(child);
  clearTimeout(deadline);
  // Messages already in the pipe when the process died still arrive: let them in.
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (signal !== 'SIGKILL') cycle.problems.push(`child exited by itself: code ${code}, ${signal}`);
  return cycle;
}

describe('crash loop', () => {
  test(`${KILLS} SIGKILLs at random and named moments lose no committed transaction`, {
    timeout: (LONG ? 60 : 3) * 60_000,
  }, async () => {
    const started = performance.now();
    const random = prng(SEED);
    const path = newPath('walkeeper-crash-');
    console.log(
      `crash loop: runtime ${runtime}, seed ${SEED} (WALKEEPER_SEED=${SEED} replays the plan), ${KILLS} kills, ${path}`,
    );
    const reported = new Set<number>();
    const moments = Object.fromEntries(
      ['random', 'checkpoint', 'reset', 'migration', 'pool-restart'].map((m) => [
        m,
        { kills: 0, inside: 0, missed: 0 },
      ]),
    ) as Record<Moment, MomentFigures>;
    const figures: Figures = {
      runtime,
      seed: SEED,
      kills: 0,
      moments,
      committedReported: 0,
      rowsChecked: 0,
      lost: 0,
      partial: 0,
      killedBeforeReady: 0,
      walkeeperReopens: 0,
      seconds: 0,
    };
    let migrationCount = 1;

    for (let generation = 0; generation < KILLS; generation++) {
      const moment = ROTATION[generation % ROTATION.length]!;
      if (moment === 'migration') migrationCount++;
      const config: CrashChildConfig = {
        path,
        seed: Math.floor(random() * 2 ** 31),
        announce: moment === 'random' ? undefined : moment,
        migrations: migrationCount,
        synchronous: SYNCHRONOUS[Math.floor(random() * SYNCHRONOUS.length)]!,
        maxWalBytes: MiB,
        keep: 2000,
        firstId: generation * 1_000_000 + 1,
      };
      const child = spawnFixture('crash-writer.mjs', [JSON.stringify(config)]);
      const cycle = await runChild(child, moment, random, reported);
      figures.kills++;
      moments[moment].kills++;
      if (cycle.inside) moments[moment].inside++;
      if (cycle.missed) moments[moment].missed++;
      if (!cycle.ready) figures.killedBeforeReady++;

      const where = `seed ${SEED}, generation ${generation} (${moment}, synchronous ${config.synchronous})`;
      expect(cycle.problems, where).toEqual([]);
      if (!existsSync(path)) {
        // Killed before its open created the file (a random kill soon after the start of the
        // first process): nothing can have been committed.
        expect(reported.size, where).toBe(0);
        continue;
      }
      // The state the kill left, read without changing it (the next child recovers it)...
      const raw = await checkReadOnly(path, reported, migrationCount);
      figures.rowsChecked += raw.rowsChecked;
      figures.lost += raw.lost.length;
      figures.partial += raw.partial;
      expect(raw.problems, `${where}, read-only check`).toEqual([]);
      // ...and every other time (and at the end) opened by walkeeper as an application would.
      if (random() < 0.5 || generation === KILLS - 1) {
        const reopened = await checkThroughWalkeeper(path, reported, migrationCount);
        figures.walkeeperReopens++;
        figures.rowsChecked += reopened.rowsChecked;
        expect(reopened.problems, `${where}, walkeeper reopen`).toEqual([]);
        expect(existsSync(`${path}-wal`), `${where}: -wal left after close`).toBe(false);
      }
    }
    figures.committedReported = reported.size;
    figures.seconds = Math.round((performance.now() - started) / 100) / 10;
    console.log(`crash loop figures: ${JSON.stringify(figures)}`);
    expect(figures.lost).toBe(0);
    expect(figures.partial).toBe(0);
    // The loop tested something: transactions were committed, and most named kills landed.
    expect(reported.size).toBeGreaterThan(KILLS * 50);
    for (const moment of ['checkpoint', 'reset', 'migration', 'pool-restart'] as const) {
      expect(moments[moment].kills - moments[moment].missed, moment).toBeGreaterThan(0);
    }
  });
});
