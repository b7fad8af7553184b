export * from './config/config';
export * from './config/key-ring';
export * from './database/data-source';
export * from './logging/logger';
export * from './temporal/binaries';
export * from './temporal/connection';
export * from './temporal/payload-codec';
