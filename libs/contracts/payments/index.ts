export * from './transfer-events.js';
export * from './payment-events.js';
