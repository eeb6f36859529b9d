/**
 * @app/contracts — integration events, the only thing contexts share about each other.
 * One folder per context; it imports nothing but validation/Swagger decorators.
 */
export * from './envelope.js';
export * from './identity/index.js';
export * from './commerce/index.js';
export * from './payments/index.js';
