import { isLate, isOverdue, type OrderedOrLater } from '#domain';
import { wordsFor, type Words } from '#infra/i18n';
import { html, Html } from './html';

interface Mark {
  readonly at: string;
  readonly label: string;
  readonly late?: boolean;
  readonly done?: boolean;
}

const W = 1000;
const LANE = 34;

/**
 * DESIGN §7: a contract's life as a picture, drawn from its state (which its events built): the
 * terms and each renewal, the non-renewal notice, the end, the return window, the destruction
 * deadline and each location's destruction, with today marked and what is late in the warning
 * colour. The same dates follow as a list, for screen readers and narrow screens.
 */
export function timeline(s: OrderedOrLater, now = new Date().toISOString(), w: Pick<Words, 't'> = wordsFor()): Html {
  const d = s.destruction;
  const say = (key: string, vars?: Record<string, unknown>) => w.t(`portal.timeline.${key}`, vars);
  const marks: Mark[] = [{ at: s.orderedAt, label: say('ordered') }];
  if (s.processingStartedAt) marks.push({ at: s.processingStartedAt, label: say('handOver') });
  for (const r of s.renewals) marks.push({ at: r.coveredPeriod.start, label: say('renewed', { end: r.coveredPeriod.end.slice(0, 10) }) });
  if (s.nonRenewalNoticedAt) marks.push({ at: s.nonRenewalNoticedAt, label: say('nonRenewal') });
  if (s.status === 'active' && s.termEnd) marks.push({ at: s.termEnd, label: say('termEnds') });
  if (s.endedAt) marks.push({ at: s.endedAt, label: s.endKind ? say(s.endKind) : '' });
  const completed = d.completedAt;
  if (d.status !== 'none' && d.returnWindowEndsAt && s.endedAt && d.returnWindowEndsAt > s.endedAt) marks.push({ at: d.returnWindowEndsAt, label: say('returnWindowEnds') });
  if (d.deadline) marks.push({ at: d.deadline, label: say('destructionDeadline'), late: completed ? isLate(d.deadline, completed) : isOverdue(d.deadline, now), done: completed !== null });
  for (const l of d.locations) if (l.status === 'destroyed' && l.destroyedAt) marks.push({ at: l.destroyedAt, label: say('destroyed', { name: l.name }), late: d.deadline !== null && isLate(d.deadline, l.destroyedAt), done: true });
  if (completed) marks.push({ at: completed, label: say('certificate'), late: d.deadline !== null && isLate(d.deadline, completed), done: true });

  const times = [...marks.map((m) => Date.parse(m.at)), Date.parse(now)];
  const start = Math.min(...times);
  const end = Math.max(...times);
  const span = Math.max(end - start, 86_400_000);
  const x = (at: string) => 20 + ((Date.parse(at) - start) / span) * (W - 40);
  const sorted = [...marks].sort((a, b) => a.at.localeCompare(b.at));
  const height = 70 + sorted.length * LANE;

  // Processing as a bar: from the hand-over to the end (or the current term's end), each term boundary a tick.
  const barEnd = s.endedAt ?? s.termEnd;
  const bar = s.processingStartedAt && barEnd ? html`<rect x="${x(s.processingStartedAt)}" y="30" width="${Math.max(2, x(barEnd) - x(s.processingStartedAt))}" height="14" rx="3" fill="#0a4ea3" opacity="0.85"></rect>` : '';
  const destructionBar =
    d.status !== 'none' && s.endedAt && d.deadline
      ? html`<rect x="${x(s.endedAt)}" y="30" width="${Math.max(2, x(completed ?? (now < d.deadline ? d.deadline : now)) - x(s.endedAt))}" height="14" rx="3" fill="${(completed ? isLate(d.deadline, completed) : isOverdue(d.deadline, now)) ? '#b3261e' : '#8c959f'}" opacity="0.7"></rect>`
      : '';
  const ticks = s.renewals.map((r) => html`<line x1="${x(r.coveredPeriod.start)}" x2="${x(r.coveredPeriod.start)}" y1="26" y2="48" stroke="#1b1f24" stroke-width="2"></line>`);
  const rows = sorted.map((m, i) => {
    const y = 70 + i * LANE;
    const colour = m.late ? '#b3261e' : m.done ? '#1a7f37' : '#1b1f24';
    const px = x(m.at);
    const anchor = px > W * 0.6 ? 'end' : 'start';
    return html`<g><line x1="${px}" x2="${px}" y1="44" y2="${y - 6}" stroke="${colour}" stroke-dasharray="2 3"></line><circle cx="${px}" cy="${y}" r="6" fill="${colour}"></circle><text x="${anchor === 'end' ? px - 10 : px + 10}" y="${y + 5}" text-anchor="${anchor}" font-size="15" fill="${colour}">${m.label} · ${m.at.slice(0, 10)}${m.late ? ` · ${say('late')}` : ''}</text></g>`;
  });
  const today = x(now);
  const title = say('title', { name: s.reference ?? s.contractId });
  return html`
<svg class="timeline" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg">
  <title id="tl-title">${title}</title>
  <desc id="tl-desc">${sorted.map((m) => `${m.label} ${m.at.slice(0, 10)}${m.late ? ` (${say('late')})` : ''}`).join('; ')}</desc>
  <line x1="20" x2="${W - 20}" y1="37" y2="37" stroke="#d0d7de" stroke-width="2"></line>
  ${bar}${destructionBar}${ticks}
  <line x1="${today}" x2="${today}" y1="10" y2="${height - 10}" stroke="#bf8700" stroke-width="2"></line>
  <text x="${today > W * 0.6 ? today - 6 : today + 6}" y="20" text-anchor="${today > W * 0.6 ? 'end' : 'start'}" font-size="14" fill="#7d4e00">${say('today')}</text>
  ${rows}
</svg>
<ol class="muted" aria-label="${say('list')}">${sorted.map((m) => html`<li${m.late ? new Html(' class="late"') : ''}>${m.at.slice(0, 10)} — ${m.label}${m.late ? ` (${say('late')})` : ''}</li>`)}</ol>`;
}


