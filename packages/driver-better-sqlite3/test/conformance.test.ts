import { testDriver, testWalkeeper } from '@walkeeper/core/testing';
import { describe, test } from 'vitest';
import { betterSqlite3 } from '../src/index.js';

testDriver(betterSqlite3(), { describe, test });
testWalkeeper(betterSqlite3(), { describe, test });
