import { describe, test } from 'bun:test';
import { testDriver, testWalkeeper } from '@walkeeper/core/testing';
import { bunSqlite } from '../src/index.js';

testDriver(bunSqlite(), { describe, test });
testWalkeeper(bunSqlite(), { describe, test });
