export * from './tenant-events.js';
