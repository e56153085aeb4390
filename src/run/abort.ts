/**
 * Waits for `work` unless the signal aborts first; then rejects at once with the abort's reason
 * (an `Interrupted`), so a stage that does not watch the signal itself (a folder of scenarios
 * still loading, a capture still starting) does not hold the first SIGINT/SIGTERM up. What the
 * work goes on doing is the caller's to stop: `onAbort` runs when the abort wins.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    onAbort?.();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      work.catch(() => undefined);
      onAbort?.();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err as Error);
      },
    );
  });
}

/** Whether `err` is the abort of this signal (what `untilAborted` or `throwIfAborted` threw). */
export function isAbortOf(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted && err === signal.reason;
}
