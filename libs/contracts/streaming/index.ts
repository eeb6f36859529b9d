export * from './video-events.js';
export * from './subscription-events.js';
