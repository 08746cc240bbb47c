import assert from 'node:assert/strict';
import { DOCUMENT_TYPES, documentTypeName, formatDocumentNumber, parseDocumentNumber } from '../../domain/document-numbers';
import { DomainInputError } from '../../domain/quota';

const invalid = (field: string) => (e: unknown) => e instanceof DomainInputError && e.field === field;

describe('document numbers (domain-spec §2.5)', () => {
  it('formats {district}-{type}-{yyyy}-{seq} with seq padded to 4 digits', () => {
    // given / when / then
    assert.equal(formatDocumentNumber({ district: '110105', type: 'YBTZ', year: 2026, seq: 42 }), '110105-YBTZ-2026-0042');
    assert.equal(formatDocumentNumber({ district: 'CY', type: 'DL', year: 2026, seq: 12345 }), 'CY-DL-2026-12345');
    assert.equal(formatDocumentNumber({ district: '370612', type: 'HBJF', year: 2026, seq: 1 }), '370612-HBJF-2026-0001');
  });

  it('round-trips every document type', () => {
    for (const { code } of DOCUMENT_TYPES) {
      // given
      const parts = { district: '110105', type: code, year: 2027, seq: 7 };
      // when
      const text = formatDocumentNumber(parts);
      // then
      assert.deepEqual(parseDocumentNumber(text), parts);
      assert.equal(formatDocumentNumber(parseDocumentNumber(text)), text);
    }
  });

  it('names the document types', () => {
    // given / when / then
    assert.equal(documentTypeName('RBTZ'), '入编通知单');
    assert.equal(documentTypeName('CBTZ'), '出编通知单');
    assert.equal(documentTypeName('HBJF'), '核拨经费通知单');
    assert.equal(documentTypeName('NOPE'), undefined);
  });

  it('refuses malformed numbers', () => {
    // given
    const malformed = [
      '',
      '110105-YBTZ-2026',
      '110105-YBTZ-2026-42', // not padded
      '110105-YBTZ-2026-00042', // padded beyond 4 digits: not canonical
      '110105-YBTZ-2026-0000', // seq 0
      '110105-XXXX-2026-0001', // unknown type
      '110105-ybtz-2026-0001', // lowercase
      '110105-YBTZ-26-0001',
      '110105-YBTZ-1999-0001', // year out of range
      '110105_YBTZ_2026_0001',
      ' 110105-YBTZ-2026-0001',
      'X-YBTZ-2026-0001', // district too short
    ];
    // when / then
    for (const text of malformed) assert.throws(() => parseDocumentNumber(text), invalid('documentNumber'), text);
  });

  it('refuses invalid parts, naming the field', () => {
    // given / when / then
    assert.throws(() => formatDocumentNumber({ district: '11-01', type: 'YBTZ', year: 2026, seq: 1 }), invalid('district'));
    assert.throws(() => formatDocumentNumber({ district: '110105', type: 'QQ' as never, year: 2026, seq: 1 }), invalid('type'));
    assert.throws(() => formatDocumentNumber({ district: '110105', type: 'YBTZ', year: 2101, seq: 1 }), invalid('year'));
    assert.throws(() => formatDocumentNumber({ district: '110105', type: 'YBTZ', year: 2026, seq: 0 }), invalid('seq'));
    assert.throws(() => formatDocumentNumber({ district: '110105', type: 'YBTZ', year: 2026, seq: 1.5 }), invalid('seq'));
  });
});
