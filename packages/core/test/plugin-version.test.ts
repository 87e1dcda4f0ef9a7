import { describe, expect, test } from 'vitest';
import type { WalkeeperError } from '../src/errors.js';
import { resolvePlugins, type WalkeeperPlugin } from '../src/plugin.js';
import { satisfies } from '../src/plugin-version.js';

function refusal(plugins: WalkeeperPlugin[]): WalkeeperError {
  try {
    resolvePlugins(plugins);
  } catch (error) {
    return error as WalkeeperError;
  }
  throw new Error('expected the plugins to be refused');
}

describe('plugin versions', () => {
  test.each([
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['1.2.9', '1.2', true],
    ['1.3.0', '1.2', false],
    ['1.9.0', '^1.2', true],
    ['2.0.0', '^1.2', false],
    ['1.1.9', '^1.2', false],
    ['0.2.5', '^0.2.1', true],
    ['0.3.0', '^0.2.1', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.8', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['3.0.0', '>=1.2', true],
    ['1.1.0', '>=1.2', false],
    ['0.0.1', '*', true],
    ['1.2.3-beta.1', '^1.2', true],
  ])('%s in %s: %s', (version, range, inRange) => {
    expect(satisfies(version, range)).toBe(inRange);
  });

  test("a dependency's range is checked against that plugin's version at registration", () => {
    const history: WalkeeperPlugin = { name: 'metrics-history', version: '0.2.4' };
    const needs = (range: string): WalkeeperPlugin => ({
      name: 'dashboard',
      dependencies: [`metrics-history@${range}`],
    });
    expect(resolvePlugins([needs('^0.2'), history]).map((p) => p.name)).toEqual([
      'metrics-history',
      'dashboard',
    ]);
    const tooOld = refusal([needs('^0.3'), history]);
    expect(tooOld.code).toBe('E_PLUGIN_VERSION');
    expect(tooOld.message).toBe(
      'Plugin "dashboard" needs "metrics-history" ^0.3, but "metrics-history" is 0.2.4.',
    );
    expect(tooOld.details).toMatchObject({ dependency: 'metrics-history', range: '^0.3' });
    const unversioned = refusal([needs('^0.2'), { name: 'metrics-history' }]);
    expect(unversioned.code).toBe('E_PLUGIN_VERSION');
    expect(unversioned.message).toContain('declares no version');
    expect(refusal([needs('^0.2')]).code).toBe('E_PLUGIN_DEPENDENCY');
  });

  test('a malformed version or range is E_CONFIG naming the option', () => {
    const badVersion = refusal([{ name: 'a', version: 'one' }]);
    expect(badVersion.code).toBe('E_CONFIG');
    expect(badVersion.message).toContain('plugins[0].version');
    const badRange = refusal([{ name: 'b' }, { name: 'a', dependencies: ['b@latest'] }]);
    expect(badRange.code).toBe('E_CONFIG');
    expect(badRange.message).toContain('plugins[1].dependencies');
  });
});
