// Shared by the domain tests: how a rule refuses input, and how a parameter bundle labels its defaults.
import assert from 'node:assert/strict';
import { DomainInputError } from '../../domain/quota';

/** For `assert.throws`: a DomainInputError naming `field`, with a message in Chinese (the clerk reads it). */
export const throwsOn = (field: string) => (error: unknown): boolean =>
  error instanceof DomainInputError && error.field === field && /[\u4e00-\u9fff]/.test(error.message);

/** Every key of a parameter bundle has a built-in default, and every placeholder default says so (status C, source). */
export function assertDefaultsLabelled(
  defaults: ReadonlyArray<{ key: string; version: string; status: string; source: string }>,
  keys: Record<string, string>,
): void {
  const present = new Set(defaults.map((p) => p.key));
  for (const key of Object.values(keys)) assert.ok(present.has(key), key);
  for (const p of defaults.filter((d) => d.version === 'placeholder')) {
    assert.equal(p.status, 'C');
    assert.match(p.source, /placeholder/);
  }
}
