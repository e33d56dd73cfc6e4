import { useEffect, useState } from 'react';
import { ApiError, isAbort } from '../../api.js';

export type AnswerState = 'idle' | 'loading' | 'ready' | 'empty' | 'error';

/**
 * One API answer for a key (the query it was asked with): loading, ready, empty (404: no statistics for that period;
 * 400: a period or region the server does not know) or error, with a retry. The data is only handed out for the key
 * it belongs to, so a stale answer is never shown under new filters.
 */
export function useAnswer<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): { state: AnswerState; data: T | null; retry: () => void } {
  const [result, setResult] = useState<{ key: string; state: AnswerState; data: T | null } | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (key === null) return;
    const ac = new AbortController();
    setResult({ key, state: 'loading', data: null });
    load(ac.signal)
      .then((data) => setResult({ key, state: 'ready', data }))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        const empty = err instanceof ApiError && (err.status === 404 || err.status === 400);
        setResult({ key, state: empty ? 'empty' : 'error', data: null });
      });
    return () => ac.abort();
    // `load` is rebuilt every render; the key says when the question changed.
  }, [key, attempt]);
  if (key === null) return { state: 'idle', data: null, retry: () => setAttempt((n) => n + 1) };
  if (!result || result.key !== key) return { state: 'loading', data: null, retry: () => setAttempt((n) => n + 1) };
  return { state: result.state, data: result.data, retry: () => setAttempt((n) => n + 1) };
}
