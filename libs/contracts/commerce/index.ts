export * from './order-created.event.js';
export * from './order-cancelled.event.js';
export * from './order-saga.events.js';
