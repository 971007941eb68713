import { createHash } from 'node:crypto';
import { STATUS_SCRIPT } from './status-script.js';
import { STATUS_STYLE } from './status-style.js';

/** The status page document and the Content-Security-Policy that admits only its own inline style and script. */
export interface StatusPage {
  html: string;
  contentSecurityPolicy: string;
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** One self-contained HTML document: no build step, no CDN, nothing fetched but its own JSON. */
export const STATUS_PAGE: StatusPage = {
  html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>DeepSeek pool status</title>
<style>${STATUS_STYLE}</style>
</head>
<body>
<header class="top"><h1>DeepSeek pool</h1><span id="summary">connecting…</span><span id="mode" class="pill"></span><span id="live" class="live"></span></header>
<ul id="legend" class="legend" aria-label="Key states"></ul>
<form id="auth" hidden><label>Admin token<input id="token" type="password" autocomplete="off"></label><button type="submit">Connect</button></form>
<main class="layout">
<section id="keys" class="keys" aria-label="Keys"></section>
<aside class="events-panel"><h2>Recent events</h2><ol id="events"></ol></aside>
</main>
<section id="clients" class="events-panel clients" aria-label="Clients" hidden><h2>Clients</h2><table><thead><tr><th>Client</th><th>Requests / min</th><th>Tokens / min</th><th>Tokens today</th><th>USD today</th><th>USD this month</th></tr></thead><tbody id="client-rows"></tbody></table></section>
<script>${STATUS_SCRIPT}</script>
</body>
</html>
`,
  contentSecurityPolicy: [
    "default-src 'none'",
    `script-src ${sha256(STATUS_SCRIPT)}`,
    `style-src ${sha256(STATUS_STYLE)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};
