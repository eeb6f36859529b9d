export * from './user-registered.event.js';
