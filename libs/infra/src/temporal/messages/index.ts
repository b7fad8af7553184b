/**
 * The contract between the workflows and every client (API, tests, tools): workflow ids, inputs,
 * updates and queries. Imported by workflow code, so it holds definitions only. One file a concept;
 * the message names in them are those recorded histories replay against, so they never change.
 */
export * from './common';
export * from './mail';
export * from './file';
export * from './contract';
export * from './incident';
export * from './registers';
export * from './sub-processor';
