export * from './factories';
export * from './given';
