import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { changeToCommunicate, processorDpoStream, toProcessorDpoView, type ProcessorDpoCommand, type ProcessorDpoEvent } from './processor-dpo.decider';

const given = specify(processorDpoStream);
const configured = { name: 'Data Protection Officer', email: 'dpo@processor.example', phone: null };
const set = (name: string, email: string, source: 'configuration' | 'admin' = 'admin', phone: unknown = null): ProcessorDpoCommand => ({ type: 'SetDpo', data: { name, email, phone, source, recordedAt: '2027-03-01T10:00:00.000Z' } });
const v1: ProcessorDpoEvent = { type: 'DpoSet', data: { ...configured, version: 1, source: 'configuration', recordedAt: '2027-03-01T10:00:00.000Z' } };
const v2: ProcessorDpoEvent = { type: 'DpoSet', data: { name: 'Dana Officer', email: 'dana@processor.example', phone: '+33 1 23 45 67 89', version: 2, source: 'admin', recordedAt: '2027-03-01T10:00:00.000Z' } };
const communicated: ProcessorDpoEvent = { type: 'DpoChangeCommunicated', data: { version: 2, controllers: 3, digest: 'd'.repeat(64), actedAt: '2027-03-01T10:00:05.000Z' } };

describe("the processor's DPO (P12; DESIGN §3.6)", () => {
  it('the configured value is version 1, each change one more; configuration has no say once a value is recorded; the same value records nothing', () => {
    given().when(set('Data Protection Officer', 'dpo@processor.example', 'configuration')).then(v1);
    given(v1).when(set('Dana Officer', 'dana@processor.example', 'admin', '+33 1 23 45 67 89')).then(v2);
    given(v1, v2).when(set('Dana Officer', 'dana@processor.example', 'admin', '+33 1 23 45 67 89')).thenNothing();
    given(v1, v2).when(set('Someone', 'someone@processor.example', 'configuration')).thenNothing();
    given().when(set('Dana', 'not-an-email')).thenThrows('input.invalid_email', 'validation');
    given().when(set('Dana', 'dana@processor.example', 'admin', 'call me')).thenThrows('input.invalid_format', 'validation');
    given().when(set('', 'dana@processor.example')).thenThrows('input.required', 'validation');
  });

  it('a change is to be communicated until recorded as communicated; a stale or repeated record does nothing', () => {
    expect(changeToCommunicate(given().state)).toBeNull();
    expect(changeToCommunicate(given(v1).state)).toBeNull();
    expect(changeToCommunicate(given(v1, v2).state)).toMatchObject({ version: 2 });
    given(v1, v2).when({ type: 'RecordDpoChangeCommunicated', data: communicated.data }).then(communicated);
    given(v1, v2, communicated).when({ type: 'RecordDpoChangeCommunicated', data: communicated.data }).thenNothing();
    given(v1, v2).when({ type: 'RecordDpoChangeCommunicated', data: { ...communicated.data, version: 1 } }).thenNothing();
    given().when({ type: 'RecordDpoChangeCommunicated', data: communicated.data }).thenThrows('processor_dpo.not_set', 'not_found');
    expect(changeToCommunicate(given(v1, v2, communicated).state)).toBeNull();
    expect(processorDpoStream.evolve({ status: 'none' }, communicated)).toEqual({ status: 'none' });
  });

  it('views: the configured value before any change; then the current one, with when its change reached the controllers', () => {
    expect(toProcessorDpoView({ status: 'none' }, configured)).toEqual({ ...configured, version: 1, source: 'configuration', since: null, communicatedAt: null, controllersInformed: null });
    expect(toProcessorDpoView(given(v1, v2).state, configured)).toMatchObject({ name: 'Dana Officer', version: 2, since: '2027-03-01T10:00:00.000Z', communicatedAt: null });
    expect(toProcessorDpoView(given(v1, v2, communicated).state, configured)).toMatchObject({ communicatedAt: '2027-03-01T10:00:05.000Z', controllersInformed: 3 });
    expect(processorDpoStream.occurredAt(v1)).toBe('2027-03-01T10:00:00.000Z');
    expect(processorDpoStream.occurredAt(communicated)).toBe('2027-03-01T10:00:05.000Z');
    expect(processorDpoStream.upcast({ type: 'DpoSet', schemaVersion: 1, data: v1.data })).toEqual(v1);
    expect(processorDpoStream.nextTimer(given(v1).state)).toBeNull();
    expect(processorDpoStream.isFinal(given(v1).state)).toBe(false);
  });
});
