export * from './transfer-events.js';
export * from './payment-events.js';
export * from './subscription-payment-events.js';
export * from './invoice-payment-events.js';
