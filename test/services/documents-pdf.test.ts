// Document PDFs: the Chinese text survives (read back through the font's ToUnicode map), the CJK font
// is embedded, the QR code image is there; labels per type, unknown keys last.
import assert from 'node:assert/strict';
import { DOCUMENT_TYPES } from '../../domain/document-numbers';
import { CJK_FONT_NAME } from '../../server/services/pdf-fonts';
import { DOCUMENT_LAYOUTS, documentRows, formatValue, keyFieldsOf, renderDocumentPdf } from '../../server/services/document-pdf';
import { maskIdNumber } from '../../domain/id-number';
import { ID_NUMBER, RBTZ_PAYLOAD, extractPdfText } from './documents-support';

const printable = {
  type: 'RBTZ' as const,
  number: '370612-RBTZ-2026-0001',
  issuedOn: '2026-11-24',
  payload: { ...RBTZ_PAYLOAD, issuer: '示范区机构编制委员会办公室', handler: '王经办', reviewer: '赵审核', customNote: '备注内容' },
  verifyUrl: 'https://bianzhi.example.gov.cn/verify/370612-RBTZ-2026-0001?c=abc',
  code: 'abc',
};

describe('document PDF', () => {
  it('keeps the Chinese title, header, labels and values: they read back from the PDF', async () => {
    // when
    const pdf = await renderDocumentPdf(printable);
    // then
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = extractPdfText(pdf).replace(/\n/g, '');
    for (const expected of ['入编通知单', '编号', '370612-RBTZ-2026-0001', '签发单位', '示范区机构编制委员会办公室', '签发日期', '经办人', '王经办', '审核人', '赵审核', '姓名', '张三', '公民身份号码', ID_NUMBER, '入编单位', '示范区第一中学', '事业编制', '用编通知单号', '扫码核验', '校验码']) {
      assert.ok(text.includes(expected), `missing in the PDF text: ${expected}`);
    }
  });

  it('embeds the CJK font program and draws the QR code as an image', async () => {
    const pdf = await renderDocumentPdf(printable);
    const raw = pdf.toString('latin1');
    assert.match(raw, new RegExp(`/BaseFont /[A-Z]{6}\\+${CJK_FONT_NAME}`));
    assert.match(raw, /\/FontFile3 /);
    assert.match(raw, /\/Subtype \/Image/);
  });

  it('prints keys the layout does not know last, under their own name', async () => {
    // when
    const blocks = documentRows('RBTZ', printable.payload);
    // then
    const last = blocks[blocks.length - 1]!;
    assert.equal(last.title, '其他');
    assert.deepEqual(last.rows, [{ label: 'customNote', value: '备注内容' }]);
    assert.ok(!blocks.flatMap((b) => b.rows).some((r) => r.label === '签发单位'), 'header keys are not among the fields');
    assert.ok(extractPdfText(await renderDocumentPdf(printable)).includes('customNote'));
  });

  it('has a layout with zh-CN labels and key fields for every document type, and renders each', async () => {
    for (const { code, name } of DOCUMENT_TYPES) {
      const layout = DOCUMENT_LAYOUTS[code];
      assert.equal(layout.title, name);
      const labels = layout.blocks.flatMap((b) => Object.values(b.fields));
      assert.ok(labels.length >= 3, code);
      for (const label of labels) assert.match(label, /[\u4e00-\u9fff]/, `${code}: label ${label} is not Chinese`);
      const keys = layout.blocks.flatMap((b) => Object.keys(b.fields));
      for (const key of layout.keyFields) assert.ok(keys.includes(key), `${code}: key field ${key} has no label`);
      const pdf = await renderDocumentPdf({ ...printable, type: code, number: `370612-${code}-2026-0001` });
      assert.ok(extractPdfText(pdf).includes(name), `${code}: the title reads back`);
    }
  });

  it('formats structured values as labelled lines and masks ID numbers but the first 6 and last 4', () => {
    assert.equal(formatValue({ total: 5230, postWage: 1700 }), '合计：5230\n职务职级工资/岗位工资：1700');
    assert.equal(formatValue(true), '是');
    assert.equal(maskIdNumber(ID_NUMBER), '110105********002X');
    assert.deepEqual(keyFieldsOf('CBTZ', { name: '张三', idNumber: ID_NUMBER, unitName: '单位', reason: '退休' }), [
      { label: '单位', value: '单位' },
      { label: '姓名', value: '张三' },
      { label: '公民身份号码', value: '110105********002X' },
      { label: '减员原因', value: '退休' },
    ]);
  });
});
