import { isBefore } from '../calendar';
import { notFoundError, ruleError, validationError } from '../errors';
import type { ExportedLocation, RequestDataExport, ServeDataExport } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import { plannedDestruction, type OpenContract } from './contract.state';
import { requireCount, requireInstant, requireObject, requireText } from './contract.validation';

/** L9, GDPR 28(3)(g): inside the return window the controller may ask for its data back. */
export function requestDataExport(cmd: RequestDataExport, state: OpenContract): ContractEvent[] {
  const requestId = requireText(cmd.data.requestId, 'requestId', 100);
  const requestedAt = requireInstant(cmd.data.requestedAt, 'requestedAt');
  if (plannedDestruction(state)?.exportRequests.some((r) => r.requestId === requestId)) return [];
  const s = allowed(guards.RequestDataExport(state));
  if (!isBefore(requestedAt, s.destruction.returnWindowEndsAt)) {
    throw ruleError('export.outside_return_window', `the return window closed at ${s.destruction.returnWindowEndsAt}: the data can no longer be asked back (L9)`, {
      returnWindowEndsAt: s.destruction.returnWindowEndsAt,
    });
  }
  return [{ type: 'DataExportRequested', data: { requestId, requestedAt } }];
}

function exportedLocation(value: unknown, index: number): ExportedLocation {
  const field = `locations[${index}]`;
  const l = requireObject(value, field);
  return {
    locationId: requireText(l['locationId'], `${field}.locationId`, 100),
    objectCount: requireCount(l['objectCount'], `${field}.objectCount`),
    bytes: requireCount(l['bytes'], `${field}.bytes`),
    manifestHash: requireText(l['manifestHash'], `${field}.manifestHash`, 200),
  };
}

/** L9: an export request is served before destruction may start. */
export function serveDataExport(cmd: ServeDataExport, state: OpenContract): ContractEvent[] {
  const requestId = requireText(cmd.data.requestId, 'requestId', 100);
  const servedAt = requireInstant(cmd.data.servedAt, 'servedAt');
  if (!Array.isArray(cmd.data.locations)) throw validationError('input.required', 'locations must be a list', { field: 'locations' });
  const locations = cmd.data.locations.map(exportedLocation);

  const served = plannedDestruction(state)?.exportRequests.find((r) => r.requestId === requestId);
  if (served?.servedAt) return [];
  const s = allowed(guards.ServeDataExport(state));
  if (served === undefined) throw notFoundError('export.unknown_request', `no data export request ${requestId}`, { requestId });
  const unknown = locations.map((l) => l.locationId).filter((id) => !s.destruction.locations.some((l) => l.id === id));
  if (unknown.length > 0) {
    throw validationError('export.unknown_location', `the contract's data is not stored at ${unknown.join(', ')}`, { unknownLocations: unknown });
  }
  return [{ type: 'DataExportServed', data: { requestId, servedAt, locations } }];
}
