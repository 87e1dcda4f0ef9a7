import { type DoctorCheck, type DoctorReport, runDoctor, type Verdict } from '../doctor.js';
import type { ExitCode } from '../errors.js';
import { type Color, painter } from '../internal/color.js';
import { toJson } from '../internal/json.js';
import { printLines } from '../internal/write.js';
import { litestreamState, renderLitestream } from '../litestream.js';
import { shmReaders } from '../shm-readers.js';
import { renderReaders } from './status.js';

const LABEL: Record<Verdict, [string, Color]> = {
  pass: ['PASS', 'green'],
  warn: ['WARN', 'yellow'],
  fail: ['FAIL', 'red'],
  info: ['INFO', 'blue'],
  skip: ['SKIP', 'dim'],
};

/** `walkeeper doctor <db>`: exit 0 when no check fails, 1 when one does. */
export function doctorCommand(path: string, options: { json: boolean }): ExitCode {
  const report = runDoctor(path);
  const readers = shmReaders(`${path}-shm`);
  const litestream = litestreamState(path, readers);
  printLines(
    options.json
      ? [toJson({ ...report, readers: readers ?? null, litestream: litestream ?? null })]
      : [...renderDoctor(report), ...renderReaders(readers), ...renderLitestream(litestream)],
  );
  return report.ok ? 0 : 1;
}

export function renderDoctor(report: DoctorReport): string[] {
  const paint = painter(process.stdout);
  const width = Math.max(...report.checks.map((check) => check.title.length));
  const line = (check: DoctorCheck) => {
    const [label, color] = LABEL[check.verdict];
    const head = `  ${paint(label, color)}  ${check.title.padEnd(width)}  ${check.detail}`;
    return check.verdict === 'pass' || check.verdict === 'skip'
      ? [head]
      : [head, `        ${' '.repeat(width)}  fix: ${check.fix}`];
  };
  const { counts } = report;
  const summary = [
    `${counts.pass} passed`,
    `${counts.warn} warning${counts.warn === 1 ? '' : 's'}`,
    `${counts.fail} failed`,
    `${counts.info} to check in the application`,
    ...(counts.skip > 0 ? [`${counts.skip} skipped`] : []),
  ].join(', ');
  return [`walkeeper doctor ${report.path}`, '', ...report.checks.flatMap(line), '', summary];
}
