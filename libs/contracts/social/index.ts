export * from './social-activity.events.js';
export * from './media-events.js';
