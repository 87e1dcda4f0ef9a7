import { testDriver } from '@walkeeper/core/testing';
import { describe, test } from 'vitest';
import { nodeSqlite } from '../src/index.js';

testDriver(nodeSqlite(), { describe, test });
