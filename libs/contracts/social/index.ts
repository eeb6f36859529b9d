export * from './social-activity.events.js';
