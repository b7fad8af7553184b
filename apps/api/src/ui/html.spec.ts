import { describe, expect, it } from 'vitest';
import { fold } from '#domain';
import { activeSince, contractOrdered, destructionPlanned } from '#domain/testing/factories';
import type { OrderedOrLater } from '#domain';
import { countdown, esc, html, Html } from './html';
import { timeline } from './timeline';

describe('the pages’ HTML', () => {
  it('escapes every interpolation but what is built as HTML', () => {
    expect(esc(`<script>"x" & 'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
    expect(html`<p>${'<b>'}</p>${new Html('<i>ok</i>')}${[html`<br>`, '<u>']}${null}${false}`.value).toBe('<p>&lt;b&gt;</p><i>ok</i><br>&lt;u&gt;');
  });

  it('counts down in days, hours or minutes, ahead or past', () => {
    const now = Date.parse('2027-03-01T00:00:00Z');
    expect(countdown('2027-03-04T00:00:00Z', now)).toBe('in 3 days');
    expect(countdown('2027-03-01T05:00:00Z', now)).toBe('in 5 hours');
    expect(countdown('2027-02-28T23:50:00Z', now)).toBe('10 minutes ago');
    expect(countdown(null, now)).toBe('');
  });

  it("draws a contract's life: the hand-over, the term end, today; a missed destruction deadline in the warning colour", () => {
    const active = timeline(fold(activeSince('2027-01-31T00:00:00Z')) as OrderedOrLater, '2027-02-10T00:00:00.000Z').value;
    expect(active).toContain('hand-over: processing starts · 2027-01-31');
    expect(active).toContain('term ends · 2027-02-28');
    expect(active).toContain('>today<');
    expect(active).not.toContain('late');
    const planned = fold(destructionPlanned('2027-01-31T00:00:00Z', '2027-06-01T00:00:00Z')) as OrderedOrLater;
    const missed = timeline(planned, '2027-09-01T00:00:00.000Z').value;
    expect(missed).toContain('destruction deadline · 2027-08-01 · late');
    expect(missed).toContain('#b3261e');
    expect(timeline(planned, '2027-06-02T00:00:00.000Z').value).not.toContain('· late');
    // A contract's own text is escaped in the picture too.
    expect(timeline(fold([contractOrdered({ reference: '<R&D>' })]) as OrderedOrLater, '2027-01-16T00:00:00.000Z').value).toContain('Timeline of contract &lt;R&amp;D&gt;');
  });
});
