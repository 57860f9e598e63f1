/**
 * Named credential sets kept by the daemon (a file only it can read, or its environment), so callers
 * name a set (`{"ref": "prod-aws"}`) instead of handling cloud secrets. Values are credentials
 * documents exactly as a client would send them inline.
 */
export interface CredentialStore {
  /** The credentials document of a set, or undefined when no set has that name. */
  get(name: string): unknown;
  /** Names of the defined sets (never their contents). */
  names(): readonly string[];
}
