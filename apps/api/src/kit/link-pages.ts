import express, { Router, type Request, type Response } from 'express';
import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FILE_TYPES, isDomainError, type CommandSpec, type FileType } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { readLink, type ReadLink } from '#infra/links';
import { fileCommandUpdate, workflowIdOf, type FileCommandInput } from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { bare, html } from '../ui/html';
import { securityHeaders } from '../ui/router';
import { FileCommands } from './file-commands';

/*
 * DESIGN §3.10, §8: the page behind a link emailed to a controller. A file type's command with a
 * `link` is sent by following it: opening the page changes nothing (mail scanners open links), its
 * one button's POST sends the command, once. A used, stale, expired or forged link gets a page that
 * says so and records nothing. The token rides in the query string or the form, never in a path a
 * log line holds; the page sends no referrer.
 */

type Linked = { readonly type: FileType; readonly name: string; readonly spec: CommandSpec & Required<Pick<CommandSpec, 'link'>> };

const LINKED: readonly Linked[] = FILE_TYPES.flatMap((type) =>
  Object.entries(type.commands ?? {}).flatMap(([name, spec]) => (spec.link ? [{ type, name, spec: spec as Linked['spec'] }] : [])),
);

const page = (res: Response, status: number, title: string, text: string, extra = html``) => res.status(status).type('html').send(bare(title, html`<p>${text}</p>${extra}`));

export function linkRouter(app: INestApplication, config: AppConfig): Router {
  const files = app.get(FileCommands);
  const dataSource = app.get(DataSource);
  const router = Router();
  router.use(securityHeaders);
  router.use((_req, res, next) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '4kb' }));

  /** The link's command as its page shows it, or the page that says why there is none. */
  const checked = (req: Request, res: Response): { linked: Linked; link: ReadLink; token: string } | null => {
    const token = (req.method === 'POST' ? (req.body as Record<string, unknown> | undefined)?.['t'] : req.query['t']) as unknown;
    const linked = LINKED.find((l) => l.type.name === req.params['type'] && l.name === req.params['command']);
    const read = readLink(token, config.links.keys, new Date().toISOString());
    if (!linked || !read.ok || read.link.type !== linked.type.name || read.link.command !== linked.name || !linked.type.idPattern.test(read.link.id)) {
      if (read.ok === false && read.problem === 'expired') page(res, 410, 'This link has expired', 'Nothing was recorded. Reply to the email it came in, and we will send a new one.');
      else page(res, 400, 'This link is not valid', 'It may have been cut short or changed on the way. Nothing was recorded; use the link exactly as it came in the email.');
      return null;
    }
    return { linked, link: read.link, token: token as string };
  };

  /** What the command would do to the file as it stands: null when it would be recorded, else a page to show. */
  const answered = async (linked: Linked, link: ReadLink, res: Response): Promise<boolean> => {
    const [row] = (await dataSource.query(`SELECT state FROM ${linked.type.readModel.table} WHERE id = $1`, [link.id])) as { state: { status: string } }[];
    if (!row) {
      page(res, 404, 'Nothing to confirm', 'What this link is about no longer exists. Nothing was recorded.');
      return true;
    }
    try {
      const events = linked.type.stream.decide(linked.spec.toCommand(link.body, { id: link.id, contractId: null, contract: null, recordedAt: new Date().toISOString() }), row.state);
      if (events.length === 0) {
        page(res, 200, 'Already done', 'This link was used already: it is recorded, and there is nothing more to do.');
        return true;
      }
      return false;
    } catch (e) {
      if (!isDomainError(e)) throw e;
      page(res, 409, 'This link was replaced', 'A newer email was sent since this one: please use the link in the latest email. Nothing was recorded.');
      return true;
    }
  };

  router.get('/:type/:command', async (req, res, next) => {
    try {
      const ok = checked(req, res);
      if (!ok || (await answered(ok.linked, ok.link, res))) return;
      const { link: copy } = ok.linked.spec;
      page(
        res,
        200,
        copy.title,
        copy.explanation,
        html`<form method="post" action="/links/${ok.linked.type.name}/${ok.linked.name}"><input type="hidden" name="t" value="${ok.token}"><button type="submit">${copy.button}</button></form>`,
      );
    } catch (e) {
      next(e);
    }
  });

  router.post('/:type/:command', async (req, res, next) => {
    try {
      const ok = checked(req, res);
      if (!ok || (await answered(ok.linked, ok.link, res))) return;
      const { linked, link } = ok;
      const args: FileCommandInput = { command: linked.name, body: link.body, context: { id: link.id, contractId: null, contract: null }, actor: { role: 'controller', keyId: `link:${link.keyId}` } };
      try {
        await files.send(workflowIdOf(linked.type.name, link.id), (h) => h.executeUpdate(fileCommandUpdate, { args: [args] }), async () => {
          throw new ApiError(404, 'not_found', 'gone');
        });
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) return void page(res, 409, 'This link was replaced', 'A newer email was sent since this one: please use the link in the latest email. Nothing was recorded.');
        if (e instanceof ApiError && e.status === 404) return void page(res, 404, 'Nothing to confirm', 'What this link is about is closed. Nothing was recorded.');
        if (e instanceof ApiError && e.status === 503) return void page(res, 503, 'Please try again in a moment', 'We could not record your answer just now. Nothing was recorded; the same link still works.');
        throw e;
      }
      page(res, 200, 'Recorded', linked.spec.link.done);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
