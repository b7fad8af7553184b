import { type Role } from '#infra/auth/api-keys';
import { staffWords } from './words';

const say = staffWords('layout');

/** Text into HTML (element content and quoted attributes). */
export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Marks HTML built here as safe to insert as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A template whose interpolations are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (v: unknown): string => (v instanceof Html ? v.value : Array.isArray(v) ? v.map(part).join('') : v === null || v === undefined || v === false ? '' : esc(v));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

const day = (at: string | null | undefined) => (at ? at.slice(0, 10) : '—');
export const dateTime = (at: string | null | undefined) => (at ? `${at.slice(0, 10)} ${at.slice(11, 16)} UTC` : '—');

/** "in 3 days", "2 hours ago": the countdown a list shows beside a date. */
export function countdown(at: string | null | undefined, now = Date.now()): string {
  if (!at) return '';
  const ms = Date.parse(at) - now;
  const abs = Math.abs(ms);
  const [n, ahead, past] =
    abs >= 2 * 86_400_000
      ? ([Math.round(abs / 86_400_000), 'inDays', 'daysAgo'] as const)
      : abs >= 2 * 3_600_000
        ? ([Math.round(abs / 3_600_000), 'inHours', 'hoursAgo'] as const)
        : ([Math.max(1, Math.round(abs / 60_000)), 'inMinutes', 'minutesAgo'] as const);
  return say(ms >= 0 ? ahead : past, { n });
}

export const dateWithCountdown = (at: string | null | undefined, late = false) =>
  at ? html`<time datetime="${at}">${day(at)}</time> <span class="${late ? 'late' : 'muted'}">${countdown(at)}</span>` : html`—`;

export interface PageContext {
  readonly role: Role;
  readonly csrf: string;
  readonly title: string;
  readonly active?: 'dashboard' | 'contracts' | 'inbox' | 'new' | 'incidents' | 'registers' | 'integrations';
  /** The processor's overdue clocks, shown beside the inbox's link. */
  readonly overdue?: number;
}

/** Every page: one stylesheet from the engine, no script, a skip link, the signed-in role and a sign-out form. */
export function layout(ctx: PageContext, body: Html): string {
  const nav = (href: string, label: string, key: PageContext['active']) => html`<a href="${href}"${ctx.active === key ? new Html(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${say('pageTitle', { title: ctx.title })}</title>
<link rel="stylesheet" href="/ui/assets/app.css">
</head>
<body>
<a class="skip" href="#main">${say('skipToContent')}</a>
<header>
  <nav aria-label="${say('mainNav')}">
    <strong class="brand">${say('brand')}</strong>
    ${ctx.role === 'dpo' || ctx.role === 'admin' ? nav('/ui/dashboard', say('dashboard'), 'dashboard') : ''}
    ${nav('/ui/contracts', say('contracts'), 'contracts')}
    ${ctx.role === 'account_manager' ? nav('/ui/contracts/new', say('order'), 'new') : ''}
    ${nav('/ui/inbox', say('inbox'), 'inbox')}${ctx.overdue ? html` <a class="badge late" href="/ui/inbox?overdue=1">${say('overdueBadge', { n: ctx.overdue })}</a>` : ''}
    ${ctx.role === 'dpo' || ctx.role === 'admin' ? nav('/ui/incidents', say('incidents'), 'incidents') : ''}
    ${ctx.role === 'dpo' || ctx.role === 'admin' ? nav('/ui/processing-record', say('registers'), 'registers') : ctx.role === 'account_manager' ? nav('/ui/sub-processors', say('subProcessors'), 'registers') : ''}
    ${ctx.role === 'admin' ? nav('/ui/integrations', say('integrations'), 'integrations') : ''}
  </nav>
  <form method="post" action="/ui/logout" class="signout">
    <input type="hidden" name="_csrf" value="${ctx.csrf}">
    <span class="muted">${say('signedInAs', { role: ctx.role.replace('_', ' ') })}</span>
    <button type="submit">${say('signOut')}</button>
  </form>
</header>
<main id="main">
<h1>${ctx.title}</h1>
${body}
</main>
</body>
</html>`.value;
}

/** A page outside a session (refused, expired, not configured). */
export function bare(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${say('pageTitle', { title })}</title><link rel="stylesheet" href="/ui/assets/app.css"></head>
<body><main id="main"><h1>${title}</h1>${body}</main></body>
</html>`.value;
}

export const CSS = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --accent: #0a4ea3; --late: #b3261e; --ok: #1a7f37; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; justify-content: space-between; padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--soft); }
header nav { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--ink); }
.brand { margin-right: 8px; }
.signout { display: flex; gap: 8px; align-items: center; margin: 0; }
main { padding: 16px; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.5rem; margin: 8px 0 16px; }
h2 { font-size: 1.15rem; margin: 24px 0 8px; }
.muted { color: var(--muted); }
.late { color: var(--late); font-weight: 600; }
.chart { max-width: 720px; }
.chart-label { font-size: 13px; fill: var(--ink); }
.bar-late { fill: var(--late); }
.bar-week { fill: #1f5fa8; }
.badge { border: 1px solid currentColor; border-radius: 999px; padding: 0 8px; font-size: .85rem; }
.theirs { font-style: italic; }
.ok { color: var(--ok); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; margin-bottom: 16px; }
label { display: block; font-weight: 600; font-size: .9rem; }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=email], input[type=password], input[type=search], select, textarea { display: block; width: 100%; max-width: 28rem; padding: 6px 8px; border: 1px solid #8c959f; border-radius: 4px; }
button { padding: 6px 14px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.danger { background: var(--late); border-color: var(--late); }
.field { margin-bottom: 12px; }
.error { color: var(--late); font-weight: 600; margin: 4px 0; }
.notice { border: 1px solid var(--late); background: #fdf0ef; padding: 8px 12px; border-radius: 4px; margin-bottom: 16px; }
.done { border: 1px solid var(--ok); background: #eef7ef; padding: 8px 12px; border-radius: 4px; margin-bottom: 16px; }
.status { display: inline-block; padding: 0 8px; border-radius: 999px; border: 1px solid var(--line); background: var(--soft); font-size: .85rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.timeline { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.actions { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
.actions form { border: 1px solid var(--line); border-radius: 4px; padding: 12px; }
.pager { margin-top: 12px; }
fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 12px; padding: 8px 12px; }
form.inline { display: inline; }
label.inline { display: inline-flex; gap: 6px; align-items: center; font-weight: 400; margin-right: 16px; }
form.card { border: 1px solid var(--line); border-radius: 4px; padding: 12px; margin-top: 24px; max-width: 40rem; }
input[type=datetime-local] { display: block; padding: 6px 8px; border: 1px solid #8c959f; border-radius: 4px; }
.links { margin: 16px 0; }
@media (max-width: 600px) { th.wide, td.wide { display: none; } main { padding: 12px; } }
`;
