import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, type Me } from './api.js';

/** Who is logged in and which mode the server runs in; re-read after login and logout. */
interface Session {
  me: Me | null;
  error: boolean;
  refresh: () => Promise<void>;
}
const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setMe(await api.me());
      setError(false);
    } catch {
      setError(true);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ me, error, refresh }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession must be used inside <SessionProvider>: wrap the app in it (see main.tsx).');
  return ctx;
}
