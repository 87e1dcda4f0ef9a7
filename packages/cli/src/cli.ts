#!/usr/bin/env node
import { run } from './program.js';

// `walkeeper watch app.db | head -3`: the reader went away, which ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

process.exitCode = await run(process.argv.slice(2));
