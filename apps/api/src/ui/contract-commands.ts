import { type Router } from 'express';
import { CANONICAL_UUID } from '#domain';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/error.filter';
import { type ContractCommands } from '../contracts/contract-commands.service';
import { HandOverCredentialsDto } from '../contracts/dto/commands.dto';
import { type ContractPage } from './contract-page';
import { bare, html } from './html';
import { type Signed } from './sessions';
import { strings, type UiContext } from './ui-context';
import { staffWords } from './words';

const say = staffWords('contracts');

/*
 * DESIGN §7 the commands an account manager sends from the contract's page: hand over credentials,
 * notice non-renewal, cancel the order, ask for the data back, terminate. The same service as the
 * API's routes; a refusal shows the contract's page again with what was typed (never the secret).
 */

export function contractCommandRoutes(router: Router, ui: UiContext, commands: ContractCommands, contractPage: ContractPage): void {
  const { principalOf, pipe } = ui;

  const contractCommand = (path: string, run: (req: Signed, id: string, body: Record<string, string>) => Promise<unknown>) =>
    router.post(`/contracts/:id/${path}`, async (req: Signed, res, next) => {
      const id = String(req.params.id);
      const body = strings(req.body);
      try {
        if (!CANONICAL_UUID.test(id)) throw new ApiError(404, 'not_found', 'No such contract.');
        if (req.session!.role !== 'account_manager') throw new ApiError(403, 'forbidden', 'Only account managers act on contracts here.');
        await run(req, id, body);
        res.redirect(303, `/ui/contracts/${id}`);
      } catch (e) {
        const error = toApiError(e);
        if (error.status >= 500 || error.status === 404) return next(e);
        // Nothing typed is lost, but the secret (write-only).
        const { secret: _secret, _csrf, ...values } = body;
        res.status(error.status).send(await contractPage(req, id, error, values).catch(() => bare(say('refused'), html`<p>${error.message}</p>`)));
      }
    });

  contractCommand('credentials', async (req, id, body) => {
    const dto = (await pipe.transform({ kind: body.kind, host: body.host, username: body.username, secret: body.secret }, { type: 'body', metatype: HandOverCredentialsDto })) as HandOverCredentialsDto;
    await commands.handOver(id, dto, principalOf(req.session!), null);
  });
  contractCommand('non-renewal', async (req, id, body) => {
    await commands.noticeNonRenewal(id, body.nonRenewalReason?.trim() || null, principalOf(req.session!));
  });
  contractCommand('cancellation', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: a cancellation cannot be undone.');
    if (!body.cancelReason?.trim()) throw new ApiError(400, 'validation_failed', 'A reason is required.', { fields: [{ field: 'cancelReason', problem: 'A reason is required.' }] });
    await commands.cancel(id, body.cancelReason.trim(), principalOf(req.session!));
  });
  contractCommand('export', async (req, id) => {
    await commands.requestDataExport(id, principalOf(req.session!), null);
  });
  contractCommand('termination', async (req, id, body) => {
    if (body.confirm !== 'yes') throw new ApiError(400, 'confirmation_required', 'Tick the box to confirm: termination cannot be undone.', { fields: [{ field: 'confirm', problem: 'Tick the box to confirm: termination cannot be undone.' }] });
    if (!body.reason?.trim()) throw new ApiError(400, 'validation_failed', 'A reason is required.', { fields: [{ field: 'reason', problem: 'A reason is required.' }] });
    await commands.terminate(id, body.reason.trim(), principalOf(req.session!));
  });
}
