import { Worker } from 'node:worker_threads';
import type { Answer } from './answer.js';

/**
 * How long the watchdog waits past the bound: the main thread's own timer (`loadConfig`'s, at the
 * bound) answers an import that is only stalled, well before.
 */
const graceMs = 2000;

/** How long, by default, the main thread may go without a beat once the config is imported (`--thread-timeout`). */
export const defaultThreadTimeoutMs = 5000;

/** How often the main thread, once the config is imported, tells the watchdog it is not blocked. */
const beatMs = 250;

/**
 * The watchdog thread: unless the main thread tells it first (a message, which restarts the count
 * and may carry the answer to give instead), after `ms` it writes the answer on file descriptors 1
 * and 2 (the main thread, blocked, writes nothing) and kills the process. From a worker,
 * `process.exit` ends the worker only, and a signal Node or the config handles waits for the main
 * thread: SIGKILL is the one that cannot.
 */
const source = `
const { parentPort, workerData: { answer } } = require('node:worker_threads');
let { ms } = require('node:worker_threads').workerData;
const { writeSync } = require('node:fs');
let { stdout, stderr } = answer;
const kill = () => {
  for (const [fd, text] of [[1, stdout], [2, stderr]])
    try { if (text) writeSync(fd, text); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
let timer = setTimeout(kill, ms);
parentPort.on('message', (next) => {
  if (next) ({ stdout, stderr, ms } = next);
  clearTimeout(timer);
  timer = setTimeout(kill, ms);
});
`;

/** What {@link watchThread} returns: how the main thread tells its watchdog what to answer from now on. */
export interface ThreadWatchdog {
  /**
   * From now on, `answer` is what the watchdog writes, and the main thread is watched by its beats:
   * blocked (no beat) for `timeoutMs`, the process ends.
   */
  watch(answer: Pick<Answer, 'stdout' | 'stderr'>, timeoutMs: number): void;
}

/**
 * Guards Node's main thread against a config that blocks it (a synchronous read of stdin or of a named
 * pipe, an endless loop, as it is imported or in a timer later), which no timer of that thread can
 * then interrupt: a worker thread that writes `answer` as the command would and ends the process with
 * SIGKILL once the import has run `timeoutMs` (and 2 s of grace); after {@link ThreadWatchdog.watch},
 * once the thread has been blocked for the bound given there. It keeps nothing running (unref'd), and ends with the
 * process.
 */
export function watchThread(answer: Pick<Answer, 'stdout' | 'stderr'>, timeoutMs: number): ThreadWatchdog {
  const worker = new Worker(source, {
    eval: true,
    workerData: { ms: timeoutMs + graceMs, answer: { stdout: answer.stdout, stderr: answer.stderr } },
  });
  worker.unref();
  // Its end, or a failure of its own, is no error of the command's.
  worker.on('error', () => undefined);
  let beating: NodeJS.Timeout | undefined;
  return {
    watch({ stdout, stderr }, ms) {
      worker.postMessage({ stdout, stderr, ms });
      beating ??= setInterval(() => worker.postMessage(null), beatMs).unref();
    },
  };
}
