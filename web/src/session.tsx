/** Who is signed in, shared with every page: the user, the operator's console settings, and session actions. */
import { createContext, useContext, type ReactNode } from 'react';

import type { User } from './api/console-api.ts';

export interface SessionContextValue {
  user: User;
  requireTwoFactorForKeys: boolean;
  /** Whether "Deposit test funds" is offered (the operator may turn sandbox deposits off). */
  sandboxDeposits: boolean;
  /** The operator's own permissions for their API behind the gateway (SIGNET_ROUTES), offered for keys. */
  customPermissions: readonly string[];
  /** Allowlist entries broader than these prefix lengths get a warning. */
  broadAllowlistPrefixes: { ipv4: number; ipv6: number };
  /** Whether the built-in exchange runs (SIGNET_EXCHANGE); its pages and wording are left out when not. */
  exchange: boolean;
  /** Updates the user after a change (2FA on/off). */
  setUser: (user: User) => void;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function SessionProvider({
  value,
  children,
}: {
  value: SessionContextValue;
  children: ReactNode;
}): ReactNode {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside a signed-in page');
  return value;
}
