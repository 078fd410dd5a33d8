import { Worker } from 'node:worker_threads';
import type { Answer } from './answer.js';

/**
 * How long the watchdog waits past the bound: the main thread's own timer (`loadConfig`'s, at the
 * bound) answers an import that is only stalled, and ends the watch, well before.
 */
const graceMs = 2000;

/**
 * The watchdog thread: unless terminated first, after `ms` it writes the answer on file descriptors 1
 * and 2 (the main thread, blocked, writes nothing) and kills the process. From a worker,
 * `process.exit` ends the worker only, and a signal Node or the config handles waits for the main
 * thread: SIGKILL is the one that cannot.
 */
const source = `
const { workerData: { ms, stdout, stderr } } = require('node:worker_threads');
const { writeSync } = require('node:fs');
setTimeout(() => {
  for (const [fd, text] of [[1, stdout], [2, stderr]])
    try { if (text) writeSync(fd, text); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, ms);
`;

/**
 * Guards an import that may block Node's main thread (a synchronous read of stdin or of a named pipe,
 * an endless loop), which no timer of that thread can then interrupt: a worker thread that, unless
 * stopped within `timeoutMs` (and 2 s of grace), writes `answer` as the command would and ends
 * the process with SIGKILL. It keeps nothing running (unref'd). Returns what stops it: call it once
 * the import has finished, or failed.
 */
export function watchImport(answer: Answer, timeoutMs: number): () => void {
  const worker = new Worker(source, {
    eval: true,
    workerData: { ms: timeoutMs + graceMs, stdout: answer.stdout, stderr: answer.stderr },
  });
  worker.unref();
  // Its end, or a failure of its own, is no error of the command's.
  worker.on('error', () => undefined);
  return () => void worker.terminate();
}
