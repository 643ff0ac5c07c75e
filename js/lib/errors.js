/**
 * LicverifyError is thrown for misuse and for configuration the module
 * cannot use: a request it refuses (missing keys or now, unknown option,
 * wrong type), a keyring that does not load (then `code` is the result
 * code of the problem, such as "weak_key"), or the package used before
 * init. `code` is undefined except for a keyring.
 */
export class LicverifyError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'LicverifyError';
    if (code !== undefined) this.code = code;
  }
}
