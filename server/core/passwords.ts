import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: `scrypt$N$r$p$salt$hash` (salt and hash base64url). The parameters travel with
 * each hash, so raising the cost later leaves old hashes verifiable.
 */

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const MAX_LOG2_N = 20;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function memoryFor(n: number, r: number): number {
  return 256 * n * r + 1024 * 1024; // scrypt needs ~128·N·r bytes; leave room
}

/** `cost` is log2(N): 15 → N = 32768 (≈ 32 MiB, ~0.2 s on one core here). */
export async function hashPassword(password: string, cost = 15): Promise<string> {
  if (!Number.isInteger(cost) || cost < 10 || cost > MAX_LOG2_N) throw new RangeError(`scrypt cost ${cost} out of range`);
  const n = 2 ** cost;
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, KEY_LENGTH, {
    N: n, r: BLOCK_SIZE, p: PARALLELISM, maxmem: memoryFor(n, BLOCK_SIZE),
  });
  return ['scrypt', n, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4]!, 'base64url');
  const key = Buffer.from(parts[5]!, 'base64url');
  const isPowerOfTwo = Number.isInteger(n) && n! > 1 && (n! & (n! - 1)) === 0 && n! <= 2 ** MAX_LOG2_N;
  if (!isPowerOfTwo || !Number.isInteger(r) || r! < 1 || r! > 32 || !Number.isInteger(p) || p! < 1 || p! > 16) {
    return undefined;
  }
  if (salt.length < 8 || key.length < 16) return undefined;
  return { n: n!, r: r!, p: p!, salt, key };
}

/** Constant-time comparison; false (never an exception) for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const candidate = await scryptAsync(password, parsed.salt, parsed.key.length, {
    N: parsed.n, r: parsed.r, p: parsed.p, maxmem: memoryFor(parsed.n, parsed.r),
  });
  return timingSafeEqual(candidate, parsed.key);
}
