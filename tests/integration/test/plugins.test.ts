import type { WalkeeperPlugin } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { caught, open } from './support.js';

describe('plugin registry', () => {
  test('duplicate names, missing dependencies, cycles and future specifications are coded errors', async () => {
    const p = (name: string, extra: Partial<WalkeeperPlugin> = {}): WalkeeperPlugin => ({
      name,
      ...extra,
    });
    expect((await caught(() => open({ plugins: [p('a'), p('a')] }))).code).toBe(
      'E_PLUGIN_DUPLICATE',
    );
    const missing = await caught(() => open({ plugins: [p('a', { dependencies: ['b'] })] }));
    expect(missing.code).toBe('E_PLUGIN_DEPENDENCY');
    expect(missing.message).toContain('"b"');
    const cycle = await caught(() =>
      open({ plugins: [p('a', { dependencies: ['b'] }), p('b', { dependencies: ['a'] })] }),
    );
    expect(cycle.code).toBe('E_PLUGIN_DEPENDENCY');
    expect(cycle.message).toContain('a -> b -> a');
    const spec = await caught(() =>
      open({
        plugins: [{ name: 'future', specificationVersion: 'v2' } as unknown as WalkeeperPlugin],
      }),
    );
    expect(spec.code).toBe('E_PLUGIN_SPEC');
  });

  test('setup runs in dependency and enforce order, onClose in reverse', async () => {
    const calls: string[] = [];
    const plugin = (name: string, extra: Partial<WalkeeperPlugin> = {}): WalkeeperPlugin => ({
      name,
      setup: () => void calls.push(`setup ${name}`),
      hooks: { onClose: () => void calls.push(`close ${name}`) },
      ...extra,
    });
    const wk = await open({
      plugins: [
        plugin('late', { enforce: 'post' }),
        plugin('app', { dependencies: ['schema'] }),
        plugin('schema'),
        plugin('first', { enforce: 'pre' }),
      ],
    });
    expect(calls).toEqual(['setup first', 'setup schema', 'setup app', 'setup late']);
    expect(wk.stats().plugins.names).toEqual(['first', 'schema', 'app', 'late']);
    calls.length = 0;
    await wk.close();
    expect(calls).toEqual(['close late', 'close app', 'close schema', 'close first']);
  });

  test('destroy() still runs onClose, in reverse, once the readers are gone', async () => {
    const calls: string[] = [];
    const wk = await open({
      readers: { size: 1, mode: 'worker' },
      plugins: [
        { name: 'a', hooks: { onClose: () => void calls.push('close a') } },
        {
          name: 'b',
          hooks: {
            onClose: async () => {
              // Reads are already refused: the pool was torn down first.
              await wk.read('SELECT 1').catch((e: { code?: string }) => calls.push(e.code!));
              calls.push('close b');
            },
          },
        },
      ],
    });
    await wk.destroy();
    expect(calls).toEqual(['E_CLOSED', 'close b', 'close a']);
    await wk.destroy();
    expect(calls).toHaveLength(3);
  });

  test('setup can write through the writer before reads open', async () => {
    const wk = await open({
      plugins: [
        {
          name: 'schema',
          setup: async ({ walkeeper }) => {
            walkeeper.write((tx) => tx.exec('CREATE TABLE seeded (x INTEGER)'));
            expect((await caught(() => walkeeper.read('SELECT 1'))).code).toBe('E_CLOSED');
          },
        },
      ],
    });
    expect(await wk.read("SELECT name FROM sqlite_master WHERE name = 'seeded'")).toEqual([
      { name: 'seeded' },
    ]);
    await wk.close();
  });

  test('a throwing hook is isolated, counted and reported; queries go on', async () => {
    const reported: string[] = [];
    const seen: string[] = [];
    const wk = await open({
      onPluginError: (error, plugin, hook) =>
        reported.push(`${plugin}.${hook}: ${(error as Error).message}`),
      plugins: [
        {
          name: 'broken',
          hooks: {
            onQuery: () => {
              throw new Error('boom');
            },
            onCheckpoint: () => {
              throw new Error('bang');
            },
          },
        },
        {
          name: 'watcher',
          hooks: {
            onQuery: (e) => void seen.push(e.kind),
            onPluginError: (_e, plugin) => void seen.push(`saw ${plugin}`),
          },
        },
      ],
    });
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    expect(await wk.read('SELECT body FROM notes')).toEqual([{ body: 'x' }]);
    expect(wk.prepareRead('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
    expect((await wk.checkpoint('PASSIVE')).busy).toBe(false);
    expect(reported).toContain('broken.onQuery: boom');
    expect(reported).toContain('broken.onCheckpoint: bang');
    expect(seen.filter((s) => s === 'read')).toHaveLength(2);
    expect(seen).toContain('saw broken');
    expect(wk.stats().plugins.hookErrors).toBe(reported.length);
    await wk.close();
  });

  test('a plugin whose onCheckpoint takes 300 ms does not delay reads issued during it', async () => {
    const events: string[] = [];
    let hookDone: Promise<void> | undefined;
    const wk = await open({
      readers: { size: 2, mode: 'worker' },
      plugins: [
        {
          name: 'slow',
          hooks: {
            onCheckpoint: (result) => {
              events.push(`hook start ${result.mode}`);
              hookDone = new Promise<void>((resolve) => setTimeout(resolve, 300)).then(() => {
                events.push('hook end');
              });
              return hookDone;
            },
          },
        },
      ],
    });
    wk.write((tx) => tx.run('INSERT INTO notes (body) VALUES (?)', ['x']));
    // Reads issued while the reset holds the barrier, and again while the hook is running.
    const checkpoint = wk.checkpoint('TRUNCATE');
    const during = wk.read<{ n: number }>('SELECT count(*) AS n FROM notes').then((rows) => {
      events.push('read during checkpoint');
      return rows;
    });
    const result = await checkpoint;
    expect(result.busy).toBe(false);
    const afterReset = wk.read<{ n: number }>('SELECT count(*) AS n FROM notes').then((rows) => {
      events.push('read during hook');
      return rows;
    });
    expect(await during).toEqual([{ n: 1 }]);
    expect(await afterReset).toEqual([{ n: 1 }]);
    await hookDone;
    // Both reads were answered while the hook still ran (a read issued before the barrier
    // went up may even finish before the reset, and so before the hook starts).
    expect(events.slice(-2)).toEqual(['read during hook', 'hook end']);
    expect(events.slice(0, 2).sort()).toEqual(['hook start TRUNCATE', 'read during checkpoint']);
    await wk.close();
  });

  test('a failing setup fails the open with E_PLUGIN, tears down what was set up and leaves no -wal', async () => {
    const closed: string[] = [];
    const path = (await import('./support.js')).newPath();
    const error = await caught(() =>
      open(
        {
          plugins: [
            { name: 'ok', hooks: { onClose: () => void closed.push('ok') } },
            {
              name: 'bad',
              setup: () => {
                throw new Error('no schema for you');
              },
            },
          ],
        },
        path,
      ),
    );
    expect(error.code).toBe('E_PLUGIN');
    expect(error.message).toContain('no schema for you');
    expect(closed).toEqual(['ok']);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
