/**
 * The signing guide as a readable page: docs/PROTOCOL.md rendered to HTML once at start (`marked`), in a small
 * self-contained page (inline CSS, no scripts, no CDN). The markdown is the repository's own file, so it is trusted
 * input; the page is still served with a CSP that allows no scripts at all.
 */
import { marked } from 'marked';

export const PROTOCOL_GUIDE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

const STYLE = `
  :root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --code: #f3f4f6; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d; --code: #161b22; } }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; }
  main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
  h1, h2, h3 { line-height: 1.25; margin: 2rem 0 0.75rem; }
  h1 { margin-top: 0; }
  a { color: #0969da; }
  code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--code); padding: 0.1em 0.3em; border-radius: 4px; }
  pre { background: var(--code); padding: 1rem; border-radius: 8px; overflow-x: auto; }
  pre code { padding: 0; background: none; }
  table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1rem 0; }
  th, td { border: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
  .back { color: var(--muted); font-size: 0.9rem; }
`;

export function renderProtocolGuide(markdown: string): string {
  const body = marked.parse(markdown, { async: false, gfm: true });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signing requests — Signet</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="back"><a href="/">← Signet console</a> · <a href="/docs">API reference</a> · <a href="/docs/protocol.md">Markdown</a></p>
${body}
</main>
</body>
</html>
`;
}
