import type { CheckpointCoordinator } from './checkpoint/coordinator.js';
import type { CheckpointMode } from './checkpoint/result.js';
import type { HookBus } from './hook-bus.js';
import type { Metrics } from './metrics.js';
import type { ReadPool } from './read-pool.js';
import type { CheckpointDecision, CheckpointStrategy, WalState } from './strategy.js';
import type { WalSampler } from './wal-sampler.js';

/** The rooms the scheduler works with, handed over at open. */
export interface SchedulerServices {
  sampler: WalSampler;
  metrics: Metrics;
  coordinator: CheckpointCoordinator;
  hooks: HookBus;
  pageSize: number;
  /** The stall cap for a decision that names none (`checkpoint.maxStallMs`). */
  maxStallMs: number;
  /** The read pool, for the reads in flight a strategy sees. */
  pool(): ReadPool | undefined;
  /** Turns SQLite's own autocheckpoint on (pages) or off (0) on the writer. */
  setAutocheckpoint(pages: number): void;
  /** A program that owns this database's checkpoints now, if any (see `checkpoint.litestream`). */
  externalOwner(): ExternalOwner | undefined;
}

/** A reader's snapshot that stops backfill, as `stats().scheduler.pin` shows it. */
export interface PinStats {
  /** Frames no checkpoint can backfill while the reader stays. */
  frames: number;
  /** Since checkpoints first stopped at its snapshot. */
  forMs: number;
  /** Consecutive checkpoints that got no further. */
  stalledStreak: number;
}

export interface SchedulerOptions {
  /** How often the strategy is asked when nothing happens. */
  intervalMs: number;
  /** No tick for this long while writes go on: the watchdog hands checkpoints back to SQLite. */
  watchdogMs: number;
  /** Pages for SQLite's autocheckpoint while the watchdog has it on. */
  fallbackAutocheckpoint: number;
}

export interface SchedulerStats {
  running: boolean;
  strategy: string;
  ticks: number;
  decisions: Record<CheckpointMode, number>;
  lastDecision: (CheckpointDecision & { at: number }) | undefined;
  strategyErrors: number;
  /** SQLite's autocheckpoint is on because the scheduler stopped or its strategy kept failing. */
  watchdogEngaged: boolean;
  watchdogEngagements: number;
  /** A reader's snapshot stops backfill; undefined when nothing pins the log. */
  pin: PinStats | undefined;
}

/** How often the scheduler looks for another program that owns checkpoints. */
const OWNER_CHECK_MS = 1000;

/** Who checkpoints a database: walkeeper's strategy, SQLite's autocheckpoint, or Litestream. */
export type CheckpointOwner = 'walkeeper' | 'sqlite' | 'litestream';
export type ExternalOwner = Exclude<CheckpointOwner, 'walkeeper' | 'sqlite'>;

/** Consecutive strategy failures after which the watchdog takes over. */
const MAX_STRATEGY_FAILURES = 3;
/** Commits ask the strategy too, but no more often than this. */
const COMMIT_CHECK_SPACING_MS = 5;

/**
 * Asks the strategy on a timer and after commits, runs one checkpoint at a time, and keeps
 * SQLite's autocheckpoint off while it owns checkpoints. The watchdog (checked on every commit,
 * which still runs when timers do not) turns autocheckpoint back on when ticks stop.
 */
export class CheckpointScheduler {
  readonly #strategy: CheckpointStrategy;
  readonly #services: SchedulerServices;
  readonly #options: SchedulerOptions;
  /** The strategy wants to own checkpoints (`ownsCheckpoints` is not false). */
  readonly #strategyOwns: boolean;
  /** Another program owns checkpoints now (Litestream): walkeeper only observes. */
  #external: ExternalOwner | undefined;
  #ownerCheckedAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running = false;
  #inFlight = false;
  #commitCheckQueued = false;
  #lastTickAt = 0;
  #lastWriteAt: number | undefined;
  #commitsSinceTick = 0;
  #writeRate = 0;
  #consecutiveFailures = 0;
  #stats: SchedulerStats;

  constructor(
    strategy: CheckpointStrategy,
    services: SchedulerServices,
    options: SchedulerOptions,
  ) {
    this.#strategy = strategy;
    this.#services = services;
    this.#options = options;
    this.#strategyOwns = strategy.ownsCheckpoints !== false;
    this.#stats = {
      running: false,
      strategy: strategy.name,
      ticks: 0,
      decisions: { PASSIVE: 0, FULL: 0, RESTART: 0, TRUNCATE: 0 },
      lastDecision: undefined,
      strategyErrors: 0,
      watchdogEngaged: false,
      watchdogEngagements: 0,
      pin: undefined,
    };
  }

  get strategy(): CheckpointStrategy {
    return this.#strategy;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Walkeeper owns checkpoints: its strategy decides and SQLite's autocheckpoint is off. */
  get #owns(): boolean {
    return this.#strategyOwns && this.#external === undefined;
  }

  /** Who checkpoints this database now. */
  get owner(): CheckpointOwner {
    if (this.#external !== undefined) return this.#external;
    return this.#owns && !this.#stats.watchdogEngaged ? 'walkeeper' : 'sqlite';
  }

  /** The cap the commit path may hold the writer at: none while another program owns checkpoints. */
  get capBytes(): number | undefined {
    return this.#external === undefined ? this.#strategy.capBytes : undefined;
  }

  /**
   * Looks for a program that owns checkpoints (at most once a second). Beside Litestream,
   * walkeeper stops deciding, never resets the WAL and never holds the writer at a cap: a
   * reset would force Litestream into a new generation (a full snapshot), or stay busy against
   * its read lock. SQLite's autocheckpoint comes back, as Litestream expects of an application.
   */
  #checkOwner(now: number): void {
    if (now - this.#ownerCheckedAt < OWNER_CHECK_MS) return;
    this.#ownerCheckedAt = now;
    const external = this.#services.externalOwner();
    if (external === this.#external) return;
    const owned = this.#owns;
    this.#external = external;
    if (owned && !this.#owns)
      this.#services.setAutocheckpoint(this.#options.fallbackAutocheckpoint);
    else if (!owned && this.#owns && !this.#stats.watchdogEngaged)
      this.#services.setAutocheckpoint(0);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stats.running = true;
    this.#lastTickAt = performance.now();
    this.#checkOwner(this.#lastTickAt);
    if (this.#owns) {
      this.#services.setAutocheckpoint(0);
      this.#services.coordinator.warmUp();
    }
    this.#stats.watchdogEngaged = false;
    this.#consecutiveFailures = 0;
    this.#timer = setInterval(() => void this.tick(), this.#options.intervalMs);
    this.#timer.unref?.();
  }

  /** Stops asking the strategy. While walkeeper owns checkpoints, SQLite's autocheckpoint returns. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#stats.running = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#owns) this.#engageWatchdog();
  }

  /** Stops the timer without handing checkpoints back (the manager is closing). */
  dispose(): void {
    this.#running = false;
    this.#stats.running = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Called after each committed write transaction: cheap, and never checkpoints inline. */
  noteCommit(): void {
    const now = performance.now();
    this.#lastWriteAt = now;
    this.#commitsSinceTick++;
    if (!this.#owns || this.#stats.watchdogEngaged) return;
    if (now - this.#lastTickAt > this.#options.watchdogMs) {
      this.#engageWatchdog();
      return;
    }
    if (
      this.#running &&
      !this.#commitCheckQueued &&
      now - this.#lastTickAt >= COMMIT_CHECK_SPACING_MS
    ) {
      this.#commitCheckQueued = true;
      setImmediate(() => {
        this.#commitCheckQueued = false;
        void this.tick();
      });
    }
  }

  #engageWatchdog(): void {
    if (this.#stats.watchdogEngaged) return;
    this.#stats.watchdogEngaged = true;
    this.#stats.watchdogEngagements++;
    this.#services.setAutocheckpoint(this.#options.fallbackAutocheckpoint);
  }

  #disengageWatchdog(): void {
    if (!this.#stats.watchdogEngaged) return;
    this.#stats.watchdogEngaged = false;
    this.#services.setAutocheckpoint(0);
  }

  /** Asks the strategy once and runs what it decides. Resolves when that checkpoint is done. */
  async tick(): Promise<void> {
    if (!this.#running || this.#inFlight) return;
    const now = performance.now();
    const elapsed = now - this.#lastTickAt;
    if (elapsed > 0) {
      // Smooth the commit rate over about a second.
      const instant = (this.#commitsSinceTick * 1000) / elapsed;
      const weight = Math.min(1, elapsed / 1000);
      this.#writeRate = this.#writeRate * (1 - weight) + instant * weight;
    }
    this.#commitsSinceTick = 0;
    this.#lastTickAt = now;
    this.#stats.ticks++;
    this.#checkOwner(now);
    if (this.#external !== undefined) return;

    let decision: CheckpointDecision | undefined;
    let state: WalState;
    try {
      state = this.#state(now);
      decision = this.#strategy.decide(state);
    } catch (error) {
      this.#stats.strategyErrors++;
      this.#consecutiveFailures++;
      this.#services.hooks.report(error, 'scheduler', `strategy ${this.#strategy.name}`);
      if (this.#owns && this.#consecutiveFailures >= MAX_STRATEGY_FAILURES) this.#engageWatchdog();
      return;
    }
    this.#consecutiveFailures = 0;
    if (this.#owns) this.#disengageWatchdog();
    if (decision === undefined) return;
    if (decision.mode !== 'PASSIVE') {
      // A reset is the one thing a program that owns checkpoints must never see: look again now.
      this.#ownerCheckedAt = Number.NEGATIVE_INFINITY;
      this.#checkOwner(now);
      if (this.#external !== undefined) return;
    }
    this.#stats.decisions[decision.mode]++;
    this.#stats.lastDecision = { ...decision, at: Date.now() };
    this.#services.hooks.decision(decision, state);
    this.#inFlight = true;
    try {
      await this.#services.coordinator.checkpoint(
        decision.mode,
        decision.maxStallMs ?? this.#services.maxStallMs,
      );
    } catch (error) {
      // A full disk is health's DISK_FULL for as long as it lasts, not a warning per tick.
      if ((error as { code?: unknown }).code !== 'E_DISK_FULL')
        this.#services.hooks.report(error, 'scheduler', `checkpoint ${decision.mode}`);
    } finally {
      this.#inFlight = false;
    }
    // A PASSIVE often prepares a reset: ask again now rather than at the next timer or commit.
    if (decision.mode === 'PASSIVE' && this.#running) setImmediate(() => void this.tick());
  }

  #state(now: number): WalState {
    const { sampler, metrics, pageSize, coordinator } = this.#services;
    const sample = sampler.current();
    const { progress } = coordinator;
    coordinator.notePinMoved();
    const pin = this.pin(sample.frames, now);
    const wallNow = Date.now();
    const age = (at: number | undefined) =>
      at === undefined ? Number.POSITIVE_INFINITY : wallNow - at;
    return {
      now,
      walBytes: sample.walBytes,
      logBytes: sample.frames === 0 ? 0 : sample.frames * (pageSize + 24) + 32,
      frames: sample.frames,
      backfilledFrames: sample.backfilledFrames,
      pageSize,
      lastResult: metrics.lastCheckpoint,
      lastResultAgeMs: age(metrics.lastCheckpointAt),
      lastCompleteAgeMs: age(metrics.lastCompleteCheckpointAt),
      busyStreak: metrics.busyStreak,
      resetBusyStreak: metrics.resetBusyStreak,
      lastResetAgeMs: age(metrics.lastResetAt),
      msSinceLastWrite:
        this.#lastWriteAt === undefined ? Number.POSITIVE_INFINITY : now - this.#lastWriteAt,
      writeRate: this.#writeRate,
      readsInFlight: this.#services.pool()?.inFlight() ?? 0,
      stalledStreak: progress.stalledStreak,
      pinnedFrames: pin?.frames ?? 0,
      pinnedForMs: pin?.forMs ?? 0,
    };
  }

  /** The pin as of `frames` in the log, from the checkpoints' results; undefined when none. */
  pin(
    frames = this.#services.sampler.latest.frames,
    now = performance.now(),
  ): PinStats | undefined {
    const { progress } = this.#services.coordinator;
    const pin = progress.pin;
    if (pin === undefined || pin.released || frames <= pin.frame) return undefined;
    return {
      frames: frames - pin.frame,
      forMs: Math.max(0, now - pin.since),
      stalledStreak: progress.stalledStreak,
    };
  }

  stats(): SchedulerStats {
    return { ...this.#stats, decisions: { ...this.#stats.decisions }, pin: this.pin() };
  }
}
