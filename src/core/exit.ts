/**
 * Ending the step without losing a line. Under both runners stdout and stderr are pipes, and Node writes to a pipe
 * asynchronously: whatever the pipe has not yet taken when process.exit() runs is dropped (the last log lines, the
 * outputs, `##vso[task.complete]`). So the adapters exit through here: once both streams have handed everything
 * to their pipes, or after `maxWaitMs` if the runner stops reading. Exiting, rather than letting the event loop
 * empty, keeps a request the deadline abandoned (a hanging sign-in) from holding the step open.
 */

/** Megabytes drain in milliseconds while the runner reads; this bound only matters when it does not. */
export const FLUSH_WAIT_MS = 10_000;

export async function exitWhenFlushed(
  streams: NodeJS.WritableStream[] = [process.stdout, process.stderr],
  maxWaitMs = FLUSH_WAIT_MS,
): Promise<never> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
  await Promise.race([Promise.all(streams.map(flushed)), waited]);
  clearTimeout(timer);
  process.exit();
}

/**
 * Resolves once everything written to the stream before has been handed on: a stream writes in order, so the
 * callback of an empty write runs after every earlier write's. A stream that fails (EPIPE: the reader is gone) has
 * nothing left to wait for.
 */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}
