export * from './object-storage.js';
export { matchesETag, parseRange } from './byte-range.js';
export { LocalObjectStorage } from './local-storage.js';
export { S3ObjectStorage } from './s3-storage.js';
export { StorageConfig, STORAGE_DRIVERS } from './storage.config.js';
export { createObjectStorage, StorageModule } from './storage.module.js';
