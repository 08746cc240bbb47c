import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkIdNumber, idNumberCheckDigit, isRealDate, upgradeLegacyIdNumber } from '../../domain/id-number';

const today = new Date('2026-11-24T08:00:00Z');

describe('ID numbers (GB 11643, domain-spec §7.1)', () => {
  it('accepts the test vectors of the spec, with birth date and gender', () => {
    assert.deepEqual(checkIdNumber('11010519491231002X', today), { valid: true, idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: '2' });
    assert.equal(idNumberCheckDigit('44052418800101001'), '4');
  });

  it('refuses the spec\'s second vector for its birth date: 1880 is before 1900-01-01 (§7.1), though its check digit is right', () => {
    assert.deepEqual(checkIdNumber('440524188001010014', today), { valid: false, problem: 'BIRTH_DATE' });
  });

  it('normalises a lowercase x', () => {
    const result = checkIdNumber('11010519491231002x', today);
    assert.ok(result.valid && result.idNumber === '11010519491231002X');
  });

  it('names what is wrong: format, province, birth date, check digit', () => {
    assert.deepEqual(checkIdNumber('1101051949123100', today), { valid: false, problem: 'FORMAT' });
    assert.deepEqual(checkIdNumber('11010519491231002Y', today), { valid: false, problem: 'FORMAT' });
    assert.deepEqual(checkIdNumber('99010519491231002X', today), { valid: false, problem: 'PROVINCE' });
    assert.deepEqual(checkIdNumber('110105194902300021', today), { valid: false, problem: 'BIRTH_DATE' }); // 1949-02-30
    assert.deepEqual(checkIdNumber('110105189912310021', today), { valid: false, problem: 'BIRTH_DATE' }); // before 1900
    assert.deepEqual(checkIdNumber('110105202712310021', today), { valid: false, problem: 'BIRTH_DATE' }); // after today
    assert.deepEqual(checkIdNumber('110105194912310021', today), { valid: false, problem: 'CHECK_DIGIT' });
  });

  it('finds every single-digit change of a valid number (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const valid = '11010519491231002X';
        const digit = (Number(valid[position]) + delta) % 10;
        const changed = valid.slice(0, position) + digit + valid.slice(position + 1);
        return !checkIdNumber(changed, today).valid;
      }),
    );
  });

  it('computes the check digit that makes any 17 digits with a good province and birth date valid (property)', () => {
    const province = fc.constantFrom('11', '31', '44', '37', '82');
    const date = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(province, fc.stringMatching(/^\d{4}$/), date, fc.stringMatching(/^\d{3}$/), (p, area, birth, seq) => {
        const first17 = `${p}${area}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${seq}`;
        return checkIdNumber(first17 + idNumberCheckDigit(first17), today).valid;
      }),
    );
  });

  it('upgrades a 15-digit legacy number', () => {
    assert.equal(upgradeLegacyIdNumber('110105491231002'), '11010519491231002X');
    assert.equal(upgradeLegacyIdNumber('11010549123100'), undefined);
  });

  it('knows real calendar dates', () => {
    assert.ok(isRealDate('2024-02-29'));
    assert.ok(!isRealDate('2026-02-29'));
    assert.ok(!isRealDate('2026-2-1'));
  });
});
