/**
 * The error thrown at construction when an option of the verifier is missing or invalid.
 */

/** Thrown by `verifyChameleonWebhook()` and `verifyWebhook()` for a bad option; `option` names it. */
export class InvalidVerifyOptionError extends TypeError {
  /** The name of the bad option, e.g. `toleranceSeconds`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`Invalid option \`${option}\`: ${message}`);
    this.name = new.target.name;
    this.option = option;
  }
}
