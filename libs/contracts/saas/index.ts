export * from './tenant-events.js';
export * from './invoice-events.js';
