import { type Request, type Router } from 'express';
import { type DataSource } from 'typeorm';
import { CANONICAL_UUID, CONTRACT_FILE_TYPES, fileTypeNamed, type FileType } from '#domain';
import { type Role } from '#infra/auth/api-keys';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { ApiError } from '../common/api-error';
import { type ContractQueries } from '../contracts/contract-queries.service';
import { type EvidencePacks } from '../evidence/evidence';
import { type FileTrails } from '../kit/trail';
import { PortalSignIn } from '../portal/portal-sign-in';
import { dateTime, html, type Html } from './html';
import { type Signed } from './sessions';
import { type UiContext } from './ui-context';
import { staffWords } from './words';

/*
 * DESIGN §7 what a contract proves: its destruction certificate (to anyone with pages), and for the
 * DPO and admins its evidence pack and the audit trail of the contract or of one of its files —
 * every event with its hash, and the chain verified on request.
 */

const say = staffWords('trail');

export const TRAIL_ROLES: readonly Role[] = ['dpo', 'admin'];

/** A page of this UI to go back to from a trail: a path under /ui/, with nothing that leaves it. */
const BACK = /^\/ui\/[A-Za-z0-9/_.~%?=&!'()*-]*$/;

/**
 * The link to the trail of a file outside any contract, for the DPO and admins (nothing for other
 * roles): from the page at `back`, which the trail links back to.
 */
export function fileTrailLink(req: Signed, type: Pick<FileType, 'name' | 'noun'>, id: string, back: string): Html | '' {
  if (!TRAIL_ROLES.includes(req.session!.role)) return '';
  return html`<p><a href="/ui/files/${type.name}/${id}/trail?back=${encodeURIComponent(back)}">${say('trailOfFile', { noun: type.noun })}</a> ${say('trailOfFileAfter')}</p>`;
}

/** Which of a contract's files to list: of one type, in one status, only those with an overdue clock. */
export interface FileFilter {
  readonly type?: string;
  readonly status?: string;
  readonly overdue?: boolean;
}

/** A contract's own files (DESIGN §3), each with its stream and whether a clock of it is overdue: what its page lists and its trail shows. */
export const filesOf = async (dataSource: DataSource, contractId: string, filter: FileFilter = {}) =>
  (await dataSource.query(
    `SELECT f.id::text AS id, f.type, f.stream, f.status, f.state, f.at,
            EXISTS (SELECT 1 FROM ${DEADLINES_TABLE} d WHERE d.stream_type = f.stream AND d.stream_id = f.id::text AND d.due_at < now()) AS overdue
       FROM (
         ${CONTRACT_FILE_TYPES.map(({ readModel, noun, name }) => `SELECT id, '${noun.replace(/'/g, "''")}' AS type, '${name}' AS stream, status, state, received_at AS at FROM ${readModel.table} WHERE contract_id = $1`).join(' UNION ALL ')}
       ) f
      WHERE ($2::text IS NULL OR f.stream = $2) AND ($3::text IS NULL OR f.status = $3)
        AND (NOT $4 OR EXISTS (SELECT 1 FROM ${DEADLINES_TABLE} d WHERE d.stream_type = f.stream AND d.stream_id = f.id::text AND d.due_at < now()))
      ORDER BY f.at, f.id`,
    [contractId, filter.type ?? null, filter.status ?? null, filter.overdue ?? false],
  )) as { id: string; type: string; stream: string; status: string; state: { status: string }; at: Date | null; overdue: boolean }[];

const contractParam = (req: Request) => {
  const id = String(req.params.id);
  if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such contract.');
  return id;
};

export function trailRoutes(router: Router, ui: UiContext, queries: ContractQueries, trails: FileTrails, packs: EvidencePacks, dataSource: DataSource): void {
  const { page } = ui;

  /** The contract's destruction certificate, with the contract's state; 404 until it has one. */
  const certified = async (req: Request) => {
    const { state } = await queries.found(contractParam(req));
    const certificate = state.status === 'none' ? null : state.destruction.certificate;
    if (state.status === 'none' || !certificate) throw new ApiError(404, 'not_found', 'This contract has no destruction certificate yet.');
    return { state, certificate };
  };
  const filename = (certificateId: string, ext: string) => `destruction-certificate-${certificateId}.${ext}`.replace(/[^A-Za-z0-9._-]/g, '_');

  router.get('/contracts/:id/certificate.json', async (req: Signed, res, next) => {
    try {
      const { certificate } = await certified(req);
      res.setHeader('Content-Disposition', `attachment; filename="${filename(certificate.certificateId, 'json')}"`);
      res.type('application/json').send(`${JSON.stringify(certificate, null, 2)}\n`);
    } catch (e) {
      next(e);
    }
  });

  // The same certificate for a person to read; the JSON (signed, in the evidence pack) stays the evidence.
  router.get('/contracts/:id/certificate.pdf', async (req: Signed, res, next) => {
    try {
      const { state, certificate } = await certified(req);
      const pdf = (await packs.certificatePdf(state))!;
      res.setHeader('Content-Disposition', `attachment; filename="${filename(certificate.certificateId, 'pdf')}"`);
      res.type('application/pdf').send(pdf);
    } catch (e) {
      next(e);
    }
  });

  router.get('/contracts/:id/evidence.zip', async (req: Signed, res, next) => {
    try {
      if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The evidence pack is for the DPO and admins.');
      const { zip, filename } = await packs.pack(contractParam(req));
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.type('application/zip').send(Buffer.from(zip));
    } catch (e) {
      next(e);
    }
  });

  // The audit trail of the contract, or of one of its files: every event with its hash, and a verification.
  router.get('/contracts/:id/trail', async (req: Signed, res, next) => {
    try {
      if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The audit trail is for the DPO and admins.');
      const id = contractParam(req);
      const { state } = await queries.found(id);
      const fileId = typeof req.query.file === 'string' ? req.query.file : null;
      const file = fileId ? (await filesOf(dataSource, id)).find((f) => f.id === fileId) : null;
      if (fileId && !file) throw new ApiError(404, 'not_found', 'No such file under this contract.');
      const reference = state.status === 'none' ? id : (state.reference ?? id);
      const name = file ? say('ofContractFile', { file: file.type, name: reference }) : say('ofContract', { name: reference });
      res.send(await trailPage(req, name, { href: `/ui/contracts/${id}`, label: say('backToContract') }, `/ui/contracts/${id}/trail`, file ? { file: file.id } : {}, file?.id ?? id));
    } catch (e) {
      next(e);
    }
  });

  // A file outside any contract (a person on the roster, an incident, a sub-processor change, a
  // controller's record or contact check, the processor's DPO): its trail by its type and id, the
  // page it was opened from given as `back` (a path of these pages, nothing else).
  router.get('/files/:type/:fid/trail', async (req: Signed, res, next) => {
    try {
      if (!TRAIL_ROLES.includes(req.session!.role)) throw new ApiError(403, 'forbidden', 'The audit trail is for the DPO and admins.');
      const type = fileTypeNamed(String(req.params.type));
      const id = String(req.params.fid);
      if (!type || type.parent === 'contract' || 'custom' in type.readModel || !type.idPattern.test(id)) throw new ApiError(404, 'not_found', 'No such file.');
      const [found] = (await dataSource.query(`SELECT 1 FROM ${type.readModel.table} WHERE id = $1`, [id])) as unknown[];
      if (!found) throw new ApiError(404, 'not_found', `No such ${type.noun}.`);
      const back = typeof req.query.back === 'string' && BACK.test(req.query.back) ? req.query.back : '/ui/';
      res.send(await trailPage(req, `${type.noun} ${id.slice(0, 8)}`, { href: back, label: say('back') }, `/ui/files/${type.name}/${id}/trail`, { back }, id));
    } catch (e) {
      next(e);
    }
  });

  /** A file's trail: every event with its hash, and a button that verifies the chain (the same page with verify=1). */
  async function trailPage(req: Signed, name: string, back: { href: string; label: string }, action: string, hidden: Record<string, string>, streamId: string): Promise<string> {
    const { events } = await trails.events(streamId);
    const verified = req.query.verify === '1' ? await trails.verify(streamId) : null;
    // A controller's own act names the portal sign-in it came through: who signed in, when, and how.
    const signIns = await PortalSignIn.named(dataSource, events.map((e) => String((e.metadata as { keyId?: unknown } | null)?.keyId ?? '')));
    const by = (metadata: unknown): string => {
      const m = (metadata ?? {}) as { actor?: string; keyId?: string };
      const signIn = m.keyId ? signIns.get(m.keyId) : undefined;
      if (m.actor === 'controller' && signIn) return say('byControllerSignIn', { address: signIn.address, method: signIn.method === 'email-link' ? say('emailedLink') : signIn.method, at: dateTime(signIn.at.toISOString()) });
      if (m.actor === 'controller' && m.keyId?.startsWith('link:')) return say('byControllerLink');
      return String(m.actor ?? '—');
    };
    return page(
      req,
      say('title', { name }),
      'contracts',
      html`<p><a href="${back.href}">${back.label}</a></p>
      <form method="get" action="${action}">${Object.entries(hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<input type="hidden" name="verify" value="1"><button type="submit">${say('verify')}</button></form>
      ${verified ? (verified.valid ? html`<p class="ok" role="status">${say('chainValid', { events: events.length })}</p>` : html`<p class="notice" role="alert">${say('chainBroken', { at: verified.brokenAt ?? '?', reason: verified.reason ?? '' })}</p>`) : ''}
      <div class="table-wrap" tabindex="0" role="region" aria-label="${say('eventsLabel')}"><table><thead><tr><th scope="col">#</th><th scope="col">${say('eventColumn')}</th><th scope="col">${say('occurredColumn')}</th><th scope="col">${say('byColumn')}</th><th scope="col" class="wide">${say('hashColumn')}</th></tr></thead>
      <tbody>${events.map((e) => html`<tr><td>${e.version}</td><td>${e.type}</td><td>${dateTime(e.occurredAt)}</td><td>${by(e.metadata)}</td><td class="wide"><code title="${e.hash}">${e.hash.slice(0, 16)}…</code></td></tr>`)}</tbody></table></div>`,
    );
  }
}
