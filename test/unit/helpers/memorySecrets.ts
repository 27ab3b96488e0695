import type { SecretStore } from '../../../src/accounts';

/** An in-memory SecretStore; `failStore` / `failGet` make the keychain throw, as a locked one does. */
export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  failStore = false;
  failGet = false;
  failDelete = false;
  /** Delay of every store() in ms, so overlapping writes would interleave if they were not serialized. */
  storeDelayMs = 0;
  writes = 0;

  async get(key: string): Promise<string | undefined> {
    if (this.failGet) throw new Error('keychain locked');
    return this.values.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    if (this.failStore) throw new Error('keychain locked');
    this.writes++;
    if (this.storeDelayMs) await new Promise((resolve) => setTimeout(resolve, this.storeDelayMs));
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    if (this.failDelete) throw new Error('keychain locked');
    this.values.delete(key);
  }
}
