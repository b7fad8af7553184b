import { describe, expect, it } from 'vitest';
import {
  DATA_CATEGORIES,
  SECURITY_MEASURES,
  STORAGE_LOCATIONS,
  SUB_PROCESSORS,
  catalogLabels,
  fullCatalogSelection,
  narrowCatalog,
  storageLocation,
} from './catalog';
import { isDomainError } from './errors';

function refusal(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (isDomainError(e)) return { code: e.code, kind: e.kind, details: e.details };
  }
  return null;
}

describe('the catalog (DESIGN §4)', () => {
  it('lists the seed’s data categories, data subjects and storage sites', () => {
    expect(fullCatalogSelection()).toEqual({
      purposes: ['website-hosting'],
      dataCategories: ['email-address', 'name', 'date-of-birth', 'postal-address', 'connection-ip-address', 'order-history', 'login-credentials'],
      dataSubjectCategories: ['developers', 'system-administrators'],
      storageLocations: ['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet'],
    });
    expect(STORAGE_LOCATIONS.filter((l) => l.kind === 'backup').map((l) => l.site)).toEqual([
      'Strasbourg, France',
      'Gravelines, France',
      'Chemin du Petit Cabri, 13100 Le Tholonet, France',
    ]);
  });

  it('P10: states the security measures of the seed', () => {
    expect(SECURITY_MEASURES.atRest).toMatchObject({ encryption: 'AES-XTS', keyMinBits: 512, passphraseLength: { min: 48, max: 64 } });
    expect(SECURITY_MEASURES.inTransit).toMatchObject({ encryption: 'SSH AES-CBC or better', keyMinBits: 4096 });
    expect(SECURITY_MEASURES.certifications).toEqual([]);
  });

  it('looks up locations and labels', () => {
    expect(storageLocation('ovh-gra-1')?.name).toBe('OVH GRA-1');
    expect(storageLocation('aws-us-east-1')).toBeNull();
    expect(catalogLabels(['order-history', 'email-address'], DATA_CATEGORIES).map((e) => e.label)).toEqual(['Email address', 'Order history']);
  });
});

describe('narrowing the catalog', () => {
  it('omitted lists mean the whole catalog', () => {
    expect(narrowCatalog()).toEqual(fullCatalogSelection());
    expect(narrowCatalog(null)).toEqual(fullCatalogSelection());
    expect(narrowCatalog({ dataCategories: ['email-address'] }).storageLocations).toEqual(fullCatalogSelection().storageLocations);
  });

  it('keeps the catalog order and drops duplicates', () => {
    expect(narrowCatalog({ storageLocations: ['ovh-gra-1', 'web-platform', 'ovh-gra-1'] }).storageLocations).toEqual(['web-platform', 'ovh-gra-1']);
  });

  it('may leave data categories empty', () => {
    expect(narrowCatalog({ dataCategories: [] }).dataCategories).toEqual([]);
  });

  it('never widens: unknown ids are refused and listed', () => {
    expect(refusal(() => narrowCatalog({ storageLocations: ['web-platform', 'aws-us-east-1', 'aws-us-east-1'], purposes: ['marketing'] }))).toEqual({
      code: 'catalog.widening',
      kind: 'rule',
      details: { unknown: { purposes: ['marketing'], storageLocations: ['aws-us-east-1'] } },
    });
  });

  it('refuses a contract without storage locations or purposes', () => {
    expect(refusal(() => narrowCatalog({ storageLocations: [] }))).toMatchObject({ code: 'catalog.empty_selection', details: { field: 'storageLocations' } });
    expect(refusal(() => narrowCatalog({ purposes: [] }))).toMatchObject({ code: 'catalog.empty_selection', details: { field: 'purposes' } });
  });

  it('refuses a selection that is not a list of ids', () => {
    expect(refusal(() => narrowCatalog({ purposes: 'website-hosting' as unknown as string[] }))?.code).toBe('catalog.invalid_selection');
    expect(refusal(() => narrowCatalog({ purposes: [1 as unknown as string] }))?.code).toBe('catalog.invalid_selection');
  });
});

describe('the sub-processors register (DESIGN §3.8)', () => {
  it('covers every storage location of the catalog, and names only locations the catalog has', () => {
    const ids = STORAGE_LOCATIONS.map((l) => l.id);
    const held = new Set(SUB_PROCESSORS.flatMap((s) => s.locations));
    expect([...held].sort()).toEqual([...ids].sort());
    expect(SUB_PROCESSORS.filter((s) => s.kind === 'sub-processor').map((s) => s.id)).toEqual(['ovh', 'online-net']);
  });
});
