/** The deployment's configuration cannot work: the process prints the message and exits 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
