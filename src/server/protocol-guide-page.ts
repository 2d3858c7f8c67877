/**
 * The documentation pages people read next to the console: the signing guide (docs/PROTOCOL.md), the error table
 * (docs/ERRORS.md), the gateway (docs/GATEWAY.md), deployment (docs/DEPLOY.md) and the vectors' provenance (test/vectors/README.md), rendered once at start (`marked`) into
 * one page shell in the console's dark style, with a bar back to the console and to the other pages.
 *
 * Links: the markdown files link to each other by repository path (so they work on a code host); `DOC_LINKS`
 * maps those paths to the pages served here, so no link on a served page points at a path this server does not
 * answer. Phone layout: the page never scrolls sideways; wide tables and code blocks scroll inside their own box.
 * The markdown is the repository's own, so it is trusted input; the pages are still served with a CSP that
 * allows no scripts at all.
 */
import { marked, type Tokens } from 'marked';

export const PROTOCOL_GUIDE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

/** Repository-relative link targets in the markdown, and where this server serves them. */
export const DOC_LINKS: Readonly<Record<string, string>> = {
  'PROTOCOL.md': '/docs/protocol',
  'ERRORS.md': '/docs/errors',
  'STREAMS.md': '/docs/protocol',
  'GATEWAY.md': '/docs/gateway',
  'DEPLOY.md': '/docs/deploy',
  '../test/vectors/vectors.json': '/docs/vectors.json',
  '../test/vectors/README.md': '/docs/vectors',
  'vectors.json': '/docs/vectors.json',
};

export interface DocPage {
  /** The served path, marked as the current page in the bar. */
  path: string;
  title: string;
  markdown: string;
}

const NAV: Array<{ path: string; label: string }> = [
  { path: '/docs/protocol', label: 'Signing guide' },
  { path: '/docs/errors', label: 'Errors' },
  { path: '/docs/gateway', label: 'Gateway' },
  { path: '/docs/deploy', label: 'Deploying' },
  { path: '/docs', label: 'API reference' },
];

// The console's palette (web/src/styles.css), so moving between console and docs is one product.
const STYLE = `
  :root { color-scheme: dark; --bg: #0e0f14; --raised: #14151b; --card: #191a21; --line: #2a2b35;
    --fg: #eceef2; --muted: #a3a5b3; --link: #7aa7ff; --code: #202129; }
  * { box-sizing: border-box; }
  html, body { margin: 0; background: var(--bg); color: var(--fg); }
  body { font: 15px/1.6 Inter, 'Segoe UI', system-ui, -apple-system, Roboto, sans-serif; overflow-wrap: anywhere; }
  .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; padding: 12px 24px;
    background: var(--raised); border-bottom: 1px solid var(--line); }
  .bar a { color: var(--muted); text-decoration: none; font-weight: 500; padding: 4px 0; }
  .bar a:hover, .bar a[aria-current='page'] { color: var(--fg); }
  .bar a[aria-current='page'] { box-shadow: inset 0 -2px 0 #e33e3f; }
  .bar .home { color: var(--fg); font-weight: 700; margin-right: auto; }
  main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
  h1, h2, h3 { line-height: 1.25; margin: 2rem 0 0.75rem; }
  h1 { margin-top: 0; font-size: 1.8rem; }
  a { color: var(--link); }
  code { font: 0.88em 'JetBrains Mono', ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--code);
    padding: 0.1em 0.3em; border-radius: 4px; }
  pre { background: var(--card); border: 1px solid var(--line); padding: 1rem; border-radius: 8px;
    overflow-x: auto; overflow-wrap: normal; }
  pre code { padding: 0; background: none; }
  .table { overflow-x: auto; margin: 1rem 0; border: 1px solid var(--line); border-radius: 8px; }
  table { border-collapse: collapse; width: 100%; overflow-wrap: normal; }
  th, td { border-bottom: 1px solid var(--line); padding: 0.45rem 0.7rem; text-align: left; vertical-align: top; }
  th { color: var(--muted); font-weight: 500; font-size: 0.9em; }
  td code { white-space: nowrap; }
  tr:last-child td { border-bottom: none; }
  blockquote { margin: 1rem 0; padding: 0.25rem 1rem; border-left: 3px solid var(--line); color: var(--muted); }
  @media (max-width: 600px) {
    .bar { padding: 10px 16px; }
    main { padding: 1.25rem 1rem 3rem; }
    h1 { font-size: 1.45rem; }
  }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
export function headingId(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Where a link in the markdown should point on this server (unchanged when it is not a repository path). */
export function resolveDocLink(href: string): string {
  const [path, hash] = href.split('#', 2) as [string, string | undefined];
  const mapped = DOC_LINKS[path];
  if (mapped === undefined) return href;
  return hash === undefined ? mapped : `${mapped}#${hash}`;
}

const renderer = new marked.Renderer();
const renderLink = renderer.link.bind(renderer);
renderer.link = (token: Tokens.Link): string => renderLink({ ...token, href: resolveDocLink(token.href) });
// Headings get GitHub's ids, so `#withdrawals-the-address-book` links work here as they do on a code host.
renderer.heading = function (token: Tokens.Heading): string {
  const text = this.parser.parseInline(token.tokens);
  return `<h${token.depth} id="${headingId(token.text)}">${text}</h${token.depth}>\n`;
};
const renderTable = renderer.table.bind(renderer);
renderer.table = (token: Tokens.Table): string => `<div class="table">${renderTable(token)}</div>`;

export function renderDocPage(page: DocPage): string {
  const body = marked.parse(page.markdown, { async: false, gfm: true, renderer });
  const links = NAV.map(
    ({ path, label }) => `<a href="${path}"${path === page.path ? ' aria-current="page"' : ''}>${label}</a>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>${escapeHtml(page.title)} — Signet</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>${STYLE}</style>
</head>
<body>
<nav class="bar" aria-label="Documentation"><a class="home" href="/">← Signet console</a>${links}</nav>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The signing guide, as served at /docs/protocol. */
export function renderProtocolGuide(markdown: string): string {
  return renderDocPage({ path: '/docs/protocol', title: 'Signing requests', markdown });
}
