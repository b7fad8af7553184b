import { ruleError, validationError } from './errors';

// DESIGN §4: the default Art. 30(2) catalog, as written in the seed's processing description.

export interface CatalogEntry {
  readonly id: string;
  readonly label: string;
}

export type StorageLocationKind = 'web-platform' | 'backup';

export interface StorageLocation {
  readonly id: string;
  readonly name: string;
  readonly kind: StorageLocationKind;
  readonly site: string;
}

export interface SecurityMeasures {
  readonly atRest: {
    readonly encryption: string;
    readonly key: string;
    readonly keyMinBits: number;
    readonly passphrase: string;
    readonly passphraseLength: { readonly min: number; readonly max: number };
  };
  readonly inTransit: {
    readonly encryption: string;
    readonly key: string;
    readonly keyMinBits: number;
  };
  readonly recovery: string;
  readonly certifications: readonly string[];
}

export interface Processor {
  readonly name: string;
  readonly role: string;
}

export const PROCESSOR: Processor = { name: '7724', role: 'hosting provider' };

export const PURPOSES: readonly CatalogEntry[] = [
  { id: 'website-hosting', label: "Hosting of the controller's website" },
];

export const NATURE_OF_OPERATIONS = 'IT services';

export const DATA_CATEGORIES: readonly CatalogEntry[] = [
  { id: 'email-address', label: 'Email address' },
  { id: 'name', label: 'Last name, first name' },
  { id: 'date-of-birth', label: 'Date of birth' },
  { id: 'postal-address', label: 'Complete address(es)' },
  { id: 'connection-ip-address', label: 'Connection IP address' },
  { id: 'order-history', label: 'Order history' },
  { id: 'login-credentials', label: 'Login and/or FTP credentials' },
];

export const DATA_SUBJECT_CATEGORIES: readonly CatalogEntry[] = [
  { id: 'developers', label: 'Developers' },
  { id: 'system-administrators', label: 'System administrators' },
];

export const STORAGE_LOCATIONS: readonly StorageLocation[] = [
  {
    id: 'web-platform',
    name: 'Web platform',
    kind: 'web-platform',
    site: 'Depends on the main datacenter, most often OVH and Online.net',
  },
  { id: 'ovh-sbg-2', name: 'OVH SBG-2', kind: 'backup', site: 'Strasbourg, France' },
  { id: 'ovh-gra-1', name: 'OVH GRA-1', kind: 'backup', site: 'Gravelines, France' },
  {
    id: 'company-backup-le-tholonet',
    name: "Company's own backup",
    kind: 'backup',
    site: 'Chemin du Petit Cabri, 13100 Le Tholonet, France',
  },
];

export const SECURITY_MEASURES: SecurityMeasures = {
  atRest: {
    encryption: 'AES-XTS',
    key: 'SHA, 512 bits or more',
    keyMinBits: 512,
    passphrase:
      'random, 48 to 64 digits, letters and symbols, typed interactively at each backup-node start so that a stolen server keeps its data unreadable',
    passphraseLength: { min: 48, max: 64 },
  },
  inTransit: { encryption: 'SSH AES-CBC or better', key: 'RSA, 4096 bits or more', keyMinBits: 4096 },
  recovery: 'Remote connection via SSH, or physical access to the servers by the intervention team in extreme cases',
  certifications: [],
};

export interface CatalogSelection {
  readonly purposes: readonly string[];
  readonly dataCategories: readonly string[];
  readonly dataSubjectCategories: readonly string[];
  readonly storageLocations: readonly string[];
}

type SelectionKey = keyof CatalogSelection;

const CATALOG: Record<SelectionKey, readonly { readonly id: string }[]> = {
  purposes: PURPOSES,
  dataCategories: DATA_CATEGORIES,
  dataSubjectCategories: DATA_SUBJECT_CATEGORIES,
  storageLocations: STORAGE_LOCATIONS,
};

const SELECTION_KEYS: readonly SelectionKey[] = ['purposes', 'dataCategories', 'dataSubjectCategories', 'storageLocations'];
const MUST_NOT_BE_EMPTY: readonly SelectionKey[] = ['purposes', 'storageLocations'];

export function fullCatalogSelection(): CatalogSelection {
  return {
    purposes: PURPOSES.map((e) => e.id),
    dataCategories: DATA_CATEGORIES.map((e) => e.id),
    dataSubjectCategories: DATA_SUBJECT_CATEGORIES.map((e) => e.id),
    storageLocations: STORAGE_LOCATIONS.map((e) => e.id),
  };
}

/**
 * A contract may narrow the catalog but never widen it: omitted lists mean the whole
 * catalog, unknown ids are refused, the result follows the catalog's order.
 */
export function narrowCatalog(partial?: Partial<CatalogSelection> | null): CatalogSelection {
  const unknown: Partial<Record<SelectionKey, string[]>> = {};
  const picked = {} as Record<SelectionKey, string[]>;
  for (const key of SELECTION_KEYS) {
    const requested = partial?.[key];
    const known = CATALOG[key].map((e) => e.id);
    if (requested === undefined || requested === null) {
      picked[key] = known;
      continue;
    }
    if (!Array.isArray(requested) || requested.some((id) => typeof id !== 'string')) {
      throw validationError('catalog.invalid_selection', `catalog ${key} must be a list of ids`);
    }
    const strangers = requested.filter((id) => !known.includes(id));
    if (strangers.length > 0) unknown[key] = [...new Set(strangers)];
    picked[key] = known.filter((id) => requested.includes(id));
  }
  if (Object.keys(unknown).length > 0) {
    const listed = Object.entries(unknown).map(([key, ids]) => `${key}: ${ids.join(', ')}`);
    throw ruleError('catalog.widening', `a contract can only narrow the catalog; unknown ${listed.join('; ')}`, { unknown });
  }
  for (const key of MUST_NOT_BE_EMPTY) {
    if (picked[key].length === 0) {
      throw ruleError('catalog.empty_selection', `a contract needs at least one of the catalog's ${key}`, { field: key });
    }
  }
  return picked;
}

export function storageLocation(id: string): StorageLocation | null {
  return STORAGE_LOCATIONS.find((l) => l.id === id) ?? null;
}

export function catalogLabels(ids: readonly string[], entries: readonly CatalogEntry[]): CatalogEntry[] {
  return entries.filter((e) => ids.includes(e.id));
}

/** A party that holds the controllers' data for the processor (GDPR 28(2), 28(4)), or the processor's own site. */
export interface SubProcessorEntry {
  readonly id: string;
  readonly name: string;
  /** `sub-processor`: another company, engaged under 28(4); `own-site`: the processor itself. */
  readonly kind: 'sub-processor' | 'own-site';
  readonly role: string;
  readonly country: string;
  /** The catalog's storage locations it holds data at. */
  readonly locations: readonly string[];
}

/**
 * DESIGN §3.8: the register, from the seed's processing description — the hosting datacenters
 * (OVH, Online.net) behind the web platform, the backup sites, and the processor's own backup.
 */
export const SUB_PROCESSORS: readonly SubProcessorEntry[] = [
  { id: 'ovh', name: 'OVH (OVHcloud)', kind: 'sub-processor', role: 'Hosting datacenter of the web platform; backup datacenters SBG-2 (Strasbourg) and GRA-1 (Gravelines)', country: 'France', locations: ['web-platform', 'ovh-sbg-2', 'ovh-gra-1'] },
  { id: 'online-net', name: 'Online.net', kind: 'sub-processor', role: 'Hosting datacenter of the web platform', country: 'France', locations: ['web-platform'] },
  { id: 'processor-own-backup', name: "The processor's own backup site", kind: 'own-site', role: 'Backup of hosted data', country: 'France', locations: ['company-backup-le-tholonet'] },
];
