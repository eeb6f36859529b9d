/**
 * @app/contracts — the envelope every event travels in. The integration events themselves — the
 * facts one context publishes for others to consume — live in one folder per context and are
 * imported from it: `import { UserRegistered } from '@app/contracts/identity'`. A folder imports
 * nothing but this envelope and validation/Swagger decorators.
 */
export * from './envelope.js';
