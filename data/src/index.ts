// Public surface of the data layer: canonical schemas, reader/writer, loaders, splits, paths.
export * from './schema.ts';
export * from './builder.ts';
export * from './read.ts';
export * from './write.ts';
export * from './npy.ts';
export * from './paths.ts';
export * from './lines.ts';
export * from './prepare.ts';
export { DetectError, detectPrefix, LOADERS, loadFormat, type LoaderEntry, type LoadOptions } from './loaders/index.ts';
export * from './csv.ts';
export * from './splits/index.ts';
export * from './download.ts';
export * from './export-merge.ts';
