/**
 * Run `tick` now and then every `everyMs`, never two at once; a failure is logged and the next tick tries again.
 * The timer does not keep the process alive. Returns a stop function.
 */
export function every(everyMs: number, tick: () => Promise<void>, log: (msg: string, err?: unknown) => void, failure: string): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await tick();
    } catch (err) {
      log(failure, err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
