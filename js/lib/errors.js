/**
 * LicverifyError is thrown for misuse: a request the module refuses
 * (missing keys or now, unknown option, wrong type), reported by the
 * module as {"error": "..."}, or the package used before init.
 */
export class LicverifyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LicverifyError';
  }
}
