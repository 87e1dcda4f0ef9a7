import { testDriver } from '@walkeeper/core/testing';
import { describe, test } from 'vitest';
import { betterSqlite3 } from '../src/index.js';

testDriver(betterSqlite3(), { describe, test });
