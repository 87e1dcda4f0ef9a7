import { describe, test } from 'bun:test';
import { testDriver } from '@walkeeper/core/testing';
import { bunSqlite } from '../src/index.js';

testDriver(bunSqlite(), { describe, test });
