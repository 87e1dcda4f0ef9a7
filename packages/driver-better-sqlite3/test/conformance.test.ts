import { testDriver } from '@walkeeper/core/testing';
import { betterSqlite3 } from '../src/index.js';
import { describe, test } from 'vitest';

testDriver(betterSqlite3(), { describe, test });
