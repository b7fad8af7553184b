import { type ActivityDependencies } from './dependencies';

/*
 * The credential vault: the access a controller handed over is shredded when processing ends, so
 * nothing the processor keeps can reach the controller's systems afterwards.
 */

export function vaultActivities(deps: ActivityDependencies) {
  return {
    /** L7: crypto-shredding of every credential of the contract (idempotent). */
    async shredCredentials(input: { contractId: string }): Promise<{ credentialIds: string[] }> {
      const { credentialIds } = await deps.vault.shred(input.contractId);
      return { credentialIds };
    },
  };
}
