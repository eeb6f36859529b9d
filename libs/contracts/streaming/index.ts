export * from './video-events.js';
