import { describe, expect, test } from 'vitest';
import { PRESETS, pragmaAssignment, validatePragmas } from '../src/pragmas.js';

describe('pragmas', () => {
  test('enums are matched case-insensitively and rendered in canonical case', () => {
    expect(validatePragmas({ synchronous: 'normal', tempStore: 'memory' })).toEqual({
      synchronous: 'NORMAL',
      tempStore: 'MEMORY',
    });
  });

  test('assignments come from the fixed table', () => {
    expect(pragmaAssignment('busyTimeout', 250)).toBe('busy_timeout = 250');
    expect(pragmaAssignment('foreignKeys', false)).toBe('foreign_keys = OFF');
    expect(pragmaAssignment('journalSizeLimit', -1)).toBe('journal_size_limit = -1');
  });

  test('presets differ only in durability', () => {
    const { synchronous: a, ...restDefault } = PRESETS.default;
    const { synchronous: b, ...restDurable } = PRESETS.durable;
    expect([a, b]).toEqual(['NORMAL', 'FULL']);
    expect(restDefault).toEqual(restDurable);
    expect(Object.isFrozen(PRESETS.default)).toBe(true);
  });

  test('the result is frozen', () => {
    expect(Object.isFrozen(validatePragmas({ busyTimeout: 1 }))).toBe(true);
  });
});
