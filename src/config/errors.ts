/** A configuration that cannot be loaded or used; the message names the file/key and the reason. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
