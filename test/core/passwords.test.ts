import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../server/core/passwords';

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash and verifies the right password only', async () => {
    // given a hash
    const hash = await hashPassword('correct horse', 10);
    // then its format carries the parameters
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // and only the right password verifies
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horse ', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('uses a new random salt each time', async () => {
    const [a, b] = await Promise.all([hashPassword('same', 10), hashPassword('same', 10)]);
    assert.notEqual(a, b);
  });

  it('verifies a hash made with another cost (parameters travel with the hash)', async () => {
    const cheap = await hashPassword('pw', 10);
    const dearer = await hashPassword('pw', 11);
    assert.equal(await verifyPassword('pw', cheap), true);
    assert.equal(await verifyPassword('pw', dearer), true);
  });

  it('answers false, not an exception, for malformed stored hashes', async () => {
    for (const stored of ['', 'plain', 'scrypt$3$8$1$abc$def', 'bcrypt$2b$10$x', 'scrypt$1024$8$1$$']) {
      assert.equal(await verifyPassword('pw', stored), false, stored);
    }
  });

  it('refuses an out-of-range cost', async () => {
    await assert.rejects(hashPassword('pw', 4), RangeError);
  });
});
