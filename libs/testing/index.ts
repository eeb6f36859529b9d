/** @app/testing — scenario-test support: the real app on real PostgreSQL + Redis. */
export * from './database.js';
export * from './eventually.js';
export * from './test-app.js';
export * from './settled.js';
export * from './smtp-sink.js';
