/**
 * Where to go after signing in: the page asked for before, carried as `/sign-in?next=<path>`. Only a path of this
 * console is accepted (it must name one of its pages, and start with one `/`): a crafted `next` cannot send people
 * to another site (`//evil.example`, `https://…`, `/\evil`) or to a page that does not exist.
 */
export function safeNext(search: string, isPage: (path: string) => boolean): string | undefined {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  return isPage(next.split(/[?#]/)[0] as string) ? next : undefined;
}
