import type { ScanProgress } from './ingest/ingester.js';

const MB = 1e6;

/** One line of the first scan's progress. */
export function formatProgress(progress: ScanProgress, now = Date.now()): string {
  const seconds = Math.max(0.001, (now - Date.parse(progress.startedAt)) / 1000);
  const done = Math.min(progress.bytesDone, progress.bytesTotal);
  const percent = progress.bytesTotal === 0 ? 100 : Math.floor((done / progress.bytesTotal) * 100);
  return (
    `ingesting ${(done / MB).toFixed(1)} / ${(progress.bytesTotal / MB).toFixed(1)} MB (${percent}%)` +
    ` · ${progress.filesDone}/${progress.filesTotal} files · ${progress.messages.toLocaleString('en')} messages` +
    ` · ${seconds.toFixed(1)} s`
  );
}

/** Progress on a terminal (one line, redrawn) or, elsewhere, a line at most every second. */
export function progressPrinter(stream: NodeJS.WriteStream): (progress: ScanProgress) => void {
  let lastPrinted = 0;
  return (progress) => {
    const now = Date.now();
    const finished = progress.finishedAt !== null;
    if (stream.isTTY) {
      stream.write(`\r\u001b[2K${formatProgress(progress, now)}${finished ? '\n' : ''}`);
      return;
    }
    if (finished || now - lastPrinted >= 1000) {
      lastPrinted = now;
      stream.write(`${formatProgress(progress, now)}\n`);
    }
  };
}
