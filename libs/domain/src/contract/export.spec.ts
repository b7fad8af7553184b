import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  activeSince,
  dataExportRequested,
  dataExportServed,
  destructionPlanned,
  destructionStarted,
  destructionUnderway,
  exported,
  requestDataExport,
  serveDataExport,
  startDestruction,
  terminatedAndRevoked,
} from '../testing/factories';
import type { ServeDataExport } from './contract.commands';

const T0 = '2027-01-31T00:00:00Z';
const END = '2027-12-31T00:00:00.000Z';
const WINDOW_END = '2028-01-14T00:00:00.000Z';
const withWindow = { billingPeriod: 'P1Y', returnWindow: 'P14D' } as const;
const planned = destructionPlanned(T0, END, withWindow);
const requested = [...planned, dataExportRequested('x-1', '2028-01-05T00:00:00Z')];

describe('L9: giving the data back inside the return window (GDPR 28(3)(g))', () => {
  it('L9: inside the return window the controller may ask for its data back', () =>
    given(planned)
      .when(requestDataExport('x-1', '2028-01-05T00:00:00Z'))
      .then(dataExportRequested('x-1', '2028-01-05T00:00:00Z'))
      .andState((s) => expect(s).toMatchObject({ destruction: { exportRequests: [{ requestId: 'x-1', servedAt: null }] } })));

  it('L9: the same request twice is recorded once', () =>
    given(requested).when(requestDataExport('x-1', '2028-01-06T00:00:00Z')).thenNothing());

  it('L9: a request at or after the end of the return window is refused', () =>
    given(planned).when(requestDataExport('x-1', WINDOW_END)).thenThrows('export.outside_return_window', 'rule'));

  it('L9: without a return window there is nothing to ask back', () =>
    given(destructionPlanned(T0, END, { billingPeriod: 'P1Y' })).when(requestDataExport('x-1', END)).thenThrows('export.outside_return_window', 'rule'));

  it('L9: once destruction started the return window is over', () =>
    given(destructionUnderway(T0, END, WINDOW_END, withWindow)).when(requestDataExport('x-1', '2028-01-05T00:00:00Z')).thenThrows('export.outside_return_window', 'rule'));

  it('L9: the data is asked back only once processing ended and destruction is planned', () => {
    given(activeSince(T0, withWindow)).when(requestDataExport('x-1', '2027-06-01T00:00:00Z')).thenThrows('contract.not_ended', 'conflict');
    given(terminatedAndRevoked(T0, END, withWindow)).when(requestDataExport('x-1', END)).thenThrows('destruction.not_scheduled', 'conflict');
  });

  it('L9: an unserved export holds destruction back, even after the return window', () =>
    given(requested).when(startDestruction('2028-01-20T00:00:00Z')).thenThrows('destruction.export_pending', 'rule'));

  it('L9: a served export is recorded with what was exported from each location', () =>
    given(requested)
      .when(serveDataExport('x-1', '2028-01-08T00:00:00Z', [exported('web-platform'), exported('ovh-sbg-2')]))
      .then(dataExportServed('x-1', '2028-01-08T00:00:00Z', [exported('web-platform'), exported('ovh-sbg-2')]))
      .andState((s) => expect(s).toMatchObject({ destruction: { exportRequests: [{ requestId: 'x-1', servedAt: '2028-01-08T00:00:00.000Z' }] } })));

  it('L9: once every export is served, destruction starts after the return window', () =>
    given(requested, dataExportServed('x-1', '2028-01-08T00:00:00Z')).when(startDestruction(WINDOW_END)).then(destructionStarted(WINDOW_END)));

  it('L9: serving an export twice changes nothing, even after destruction started', () =>
    given(requested, dataExportServed('x-1', '2028-01-08T00:00:00Z'), destructionStarted(WINDOW_END))
      .when(serveDataExport('x-1', '2028-01-15T00:00:00Z'))
      .thenNothing());

  it('L9: only a requested export can be served, from the contract’s locations', () => {
    given(requested).when(serveDataExport('x-2', '2028-01-08T00:00:00Z')).thenThrows('export.unknown_request', 'not_found');
    given(requested).when(serveDataExport('x-1', '2028-01-08T00:00:00Z', [exported('aws-us-east-1')])).thenThrows('export.unknown_location', 'validation');
  });

  it('L9: an export is served before destruction starts', () =>
    given(destructionUnderway(T0, END, WINDOW_END, withWindow)).when(serveDataExport('x-9', '2028-01-15T00:00:00Z')).thenThrows('destruction.already_started', 'conflict'));

  it.each<[string, ServeDataExport['data']['locations'], string]>([
    ['locations that are not a list', null as never, 'input.required'],
    ['a location that is not an object', [null as never], 'input.required'],
    ['a negative object count', [{ ...exported('web-platform'), objectCount: -1 }], 'input.invalid_number'],
  ])('L9: a served export with %s is malformed', (_, locations, code) =>
    given(requested).when(serveDataExport('x-1', '2028-01-08T00:00:00Z', locations)).thenThrows(code, 'validation'));
});
