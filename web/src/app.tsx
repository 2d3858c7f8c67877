/**
 * The console shell: asks the server who is signed in, then shows the sign-in / sign-up pages or the signed-in
 * layout (header, navigation, page). A 401 from any private request ends the session in the UI as well.
 * A signed-out visit to a page goes to `/sign-in?next=<page>`, and signing in returns there (only to a path of
 * this console: `safeNext` refuses anything else, so the link cannot send people to another site).
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { DEFAULT_BROAD_PREFIXES } from '../../src/keys/ip-allowlist.ts';
import { consoleApi, setCsrfToken, setSessionEndedHandler, type User } from './api/console-api.ts';
import { LanguageSwitch } from './components/language-switch.tsx';
import { useI18n } from './i18n/i18n.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { SignUpPage } from './pages/sign-up-page.tsx';
import { safeNext } from './next-path.ts';
import { navigate, usePathname } from './router.ts';
import { HOME_PATH, findRoute, visibleRoutes, type PageRoute } from './routes.ts';
import { SessionProvider } from './session.tsx';

type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'anonymous'; notice?: string }
  | { status: 'signed_in'; user: User; requireTwoFactorForKeys: boolean };

const PUBLIC_PATHS = new Set(['/sign-in', '/sign-up']);

export function App(): ReactNode {
  const { t } = useI18n();
  const pathname = usePathname();
  const [session, setSession] = useState<SessionState>({ status: 'loading' });
  const [requireTwoFactorForKeys, setRequireTwoFactorForKeys] = useState(false);
  const [sandboxDeposits, setSandboxDeposits] = useState(true);
  const [exchange, setExchange] = useState(true);
  const [customPermissions, setCustomPermissions] = useState<string[]>([]);
  const [broadAllowlistPrefixes, setBroadAllowlistPrefixes] = useState(DEFAULT_BROAD_PREFIXES);
  const pageOf = (path: string) => findRoute(path, { exchange });

  const loadSession = useCallback(() => {
    consoleApi.getSession().then(
      (info) => {
        setCsrfToken(info.csrfToken);
        setRequireTwoFactorForKeys(info.requireTwoFactorForKeys);
        setSandboxDeposits(info.sandboxDeposits !== false);
        setExchange(info.exchange !== false);
        setCustomPermissions(info.customPermissions ?? []);
        setBroadAllowlistPrefixes(info.broadAllowlistPrefixes ?? DEFAULT_BROAD_PREFIXES);
        setSession(
          info.authenticated && info.user
            ? { status: 'signed_in', user: info.user, requireTwoFactorForKeys: info.requireTwoFactorForKeys }
            : { status: 'anonymous' },
        );
      },
      (error: Error) => setSession({ status: 'error', message: error.message }),
    );
  }, []);

  useEffect(loadSession, [loadSession]);

  useEffect(() => {
    setSessionEndedHandler(() => {
      setCsrfToken(undefined);
      setSession({ status: 'anonymous', notice: t('auth.sessionEnded') });
    });
    return () => setSessionEndedHandler(undefined);
  }, [t]);

  // Keep the address bar consistent with the session; a page asked for while signed out is remembered.
  useEffect(() => {
    if (session.status === 'anonymous' && !PUBLIC_PATHS.has(pathname)) {
      const asked = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + window.location.search)}`;
      navigate(`/sign-in${asked}`, { replace: true });
    }
    if (session.status === 'signed_in' && (PUBLIC_PATHS.has(pathname) || pathname === '/')) {
      navigate(safeNext(window.location.search, (path) => pageOf(path) !== undefined) ?? HOME_PATH, {
        replace: true,
      });
    }
  }, [session.status, pathname, exchange]);

  const signedIn = (user: User, csrfToken: string): void => {
    setCsrfToken(csrfToken);
    setSession({ status: 'signed_in', user, requireTwoFactorForKeys });
    navigate(safeNext(window.location.search, (path) => pageOf(path) !== undefined) ?? HOME_PATH, {
      replace: true,
    });
  };

  if (session.status === 'loading') {
    return (
      <div className="center-screen" role="status">
        {t('app.loading')}
      </div>
    );
  }
  if (session.status === 'error') {
    return (
      <div className="center-screen">
        <div className="alert alert-error" role="alert">
          {t('common.loadFailed', { message: session.message })}
        </div>
        <button type="button" className="button button-primary" onClick={loadSession}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (session.status === 'anonymous') {
    return pathname === '/sign-up' ? (
      <SignUpPage onSignedIn={signedIn} />
    ) : (
      <SignInPage onSignedIn={signedIn} notice={session.notice} />
    );
  }

  const route = pageOf(pathname);
  const routes = visibleRoutes({ exchange });
  const signOut = (): void => {
    consoleApi.logOut().finally(() => {
      setCsrfToken(undefined);
      setSession({ status: 'anonymous' });
      navigate('/sign-in', { replace: true });
    });
  };

  return (
    <SessionProvider
      value={{
        user: session.user,
        requireTwoFactorForKeys: session.requireTwoFactorForKeys,
        sandboxDeposits,
        customPermissions,
        broadAllowlistPrefixes,
        exchange,
        setUser: (user) => setSession({ ...session, user }),
      }}
    >
      <a className="skip-link" href="#content">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <a
          className="brand"
          href={HOME_PATH}
          onClick={(event) => {
            event.preventDefault();
            navigate(HOME_PATH);
          }}
        >
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>{t('app.name')}</span>
        </a>
        <div className="topbar-actions">
          <LanguageSwitch />
          <span className="user-email" title={t('nav.signedInAs', { email: session.user.email })}>
            {session.user.email}
          </span>
          <button type="button" className="button button-ghost" onClick={signOut}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <div className="layout">
        <nav className="sidebar" aria-label={t('nav.main')}>
          {routes.exchange.length > 0 && (
            <NavSection title={t('nav.exchange')} routes={routes.exchange} current={route} />
          )}
          <NavSection title={t('nav.settings')} routes={routes.settings} current={route} />
        </nav>
        <main id="content" className="content" tabIndex={-1}>
          {route ? <route.component key={route.path} /> : <NotFound />}
        </main>
      </div>
    </SessionProvider>
  );
}

function NavSection({
  title,
  routes,
  current,
}: {
  title: string;
  routes: PageRoute[];
  current?: PageRoute;
}): ReactNode {
  const { t } = useI18n();
  return (
    <div className="nav-section">
      <h2 className="nav-title">{title}</h2>
      <ul>
        {routes.map((route) => (
          <li key={route.path}>
            <a
              href={route.path}
              aria-current={route === current ? 'page' : undefined}
              // On a phone the navigation is a row that scrolls sideways: keep the current page in view.
              ref={
                route === current
                  ? (link) => link?.scrollIntoView?.({ block: 'nearest', inline: 'center' })
                  : undefined
              }
              onClick={(event) => {
                if (event.metaKey || event.ctrlKey || event.shiftKey) return;
                event.preventDefault();
                navigate(route.path);
              }}
            >
              {t(route.label)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function NotFound(): ReactNode {
  const { t } = useI18n();
  return (
    <section className="page">
      <h1>{t('notFound.title')}</h1>
      <button type="button" className="button button-primary" onClick={() => navigate(HOME_PATH)}>
        {t('notFound.back')}
      </button>
    </section>
  );
}
