import { type ValidationPipe } from '@nestjs/common';
import { type Router } from 'express';
import { type Principal } from '#infra/auth/api-keys';
import { type ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { html, type Html, layout, type PageContext } from './html';
import { type Signed, type UiSession } from './sessions';

/*
 * What every signed-in page needs from the router (DESIGN §7): the page frame with the caller's role
 * and CSRF token, the token as a hidden field for each form, the caller as the API's services know
 * one, and the API's own validation. Each group of pages (contracts, trail, inbox, incidents, the
 * declared files) takes it, so none of them imports the router that wires them.
 */

export interface UiContext {
  page(req: Signed, title: string, active: PageContext['active'], body: Html): string;
  csrfField(req: Signed): Html;
  principalOf(session: UiSession): Principal;
  readonly pipe: ValidationPipe;
}

/** The context of a live session's pages (the session middleware has set `req.session`). */
export function uiContext(pipe: ValidationPipe): UiContext {
  const principalOf = (s: UiSession): Principal => ({ keyId: `ui:${s.subjectHash.slice(0, 16)}`, role: s.role, name: 'browser session' });
  const page = (req: Signed, title: string, active: PageContext['active'], body: Html) =>
    layout({ role: req.session!.role, csrf: req.session!.csrfToken, title, active, ...(req.overdue ? { overdue: req.overdue } : {}) }, body);
  const csrfField = (req: Signed) => html`<input type="hidden" name="_csrf" value="${req.session!.csrfToken}">`;
  return { page, csrfField, principalOf, pipe };
}

/** A form's fields as text: a field sent twice (an array) counts as empty, and the checks refuse it. */
export const strings = (body: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']));

/**
 * A form's POST: `act` does what it asks and names the page to go to (303); refused as bad input
 * (a 4xx other than 403 and 404), the form's page again from `refused`, with the error and what was
 * typed. Not allowed, not found or a failure of the engine: the error pages.
 */
export function formPost(
  router: Router,
  path: string,
  act: (req: Signed, values: Record<string, string>) => Promise<string>,
  refused: (req: Signed, error: ApiError, values: Record<string, string>) => Promise<string>,
): void {
  router.post(path, async (req: Signed, res, next) => {
    const values = strings(req.body);
    try {
      res.redirect(303, await act(req, values));
    } catch (e) {
      const error = toApiError(e);
      if (error.status >= 500 || error.status === 403 || error.status === 404) return next(e);
      try {
        res.status(error.status).send(await refused(req, error, values));
      } catch (again) {
        next(again);
      }
    }
  });
}
