// The documents a case generated (用编通知单, 登记表…): the list; a view of one with its key fields
// (as the public QR verification shows them, ID number masked); print that view; download the PDF.
import { api, openProtectedFile } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import { errorText, whileBusy } from './format';
import type { DocumentDetail, DocumentSummary } from './types';

interface KeyField {
  label: string;
  value: string;
}

interface Verification {
  valid: boolean;
  issuer?: string;
  keyFields?: KeyField[];
}

export function createDocumentsPanel(instanceId: string): { element: HTMLElement; load(): Promise<void> } {
  const list = h('div', { class: 'documents-list' });
  const view = h('article', { class: 'document-view printable', 'aria-label': '文书内容', hidden: true });
  const element = h('section', { class: 'documents', 'aria-label': '案件文书' }, list, view);

  async function load(): Promise<void> {
    clear(list);
    list.append(h('p', { class: 'loading' }, '正在加载文书…'));
    try {
      const documents = await api.get<DocumentSummary[]>(`/api/process-instances/${instanceId}/documents`);
      clear(list);
      if (!documents.length) {
        list.append(h('p', { class: 'muted' }, '本案件尚未生成文书'));
        return;
      }
      list.append(
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...['文书', '文号', '签发日期', '操作'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...documents.map(row)),
        ),
      );
    } catch (error) {
      clear(list);
      list.append(message('error', errorText(error, '文书列表加载失败')));
    }
  }

  function row(doc: DocumentSummary): HTMLElement {
    const show = h('button', { type: 'button' }, '查看');
    const print = h('button', { type: 'button' }, '打印');
    const pdf = h('button', { type: 'button' }, 'PDF');
    show.addEventListener('click', () => void whileBusy(show, () => open(doc.id)));
    print.addEventListener('click', () => void whileBusy(print, async () => (await open(doc.id)) && window.print()));
    pdf.addEventListener('click', () => void whileBusy(pdf, () => openProtectedFile(`/api/documents/${doc.id}/pdf`, `${doc.number}.pdf`).catch((e: unknown) => showError(e))));
    return h('tr', {}, h('td', {}, doc.typeName), h('td', {}, doc.number), h('td', {}, doc.issuedOn), h('td', { class: 'inbox-actions' }, show, print, pdf));
  }

  /** Shows one document; false when it could not be read. */
  async function open(id: string): Promise<boolean> {
    try {
      const doc = await api.get<DocumentDetail>(`/api/documents/${id}`);
      const fields = await keyFields(doc);
      clear(view);
      view.hidden = false;
      view.append(
        h('h3', {}, doc.typeName),
        h('p', { class: 'muted' }, `文号 ${doc.number} · 签发 ${doc.issuedOn} · 校验码 ${doc.code}`),
        h('dl', { class: 'document-fields' }, ...fields.flatMap((f) => [h('dt', {}, f.label), h('dd', {}, f.value)])),
        h('p', { class: 'muted' }, `核验：${doc.verifyUrl}`),
        h('p', { class: 'muted' }, `生成时间 ${formatTime(doc.createdAt)}`),
      );
      return true;
    } catch (error) {
      showError(error);
      return false;
    }
  }

  function showError(error: unknown): void {
    clear(view);
    view.hidden = false;
    view.append(message('error', errorText(error, '文书读取失败')));
  }

  return { element, load };
}

/** The labelled key fields of the verification page; the payload's plain values when it cannot answer. */
async function keyFields(doc: DocumentDetail): Promise<KeyField[]> {
  try {
    const verified = await api.get<Verification>(`/verify/${encodeURIComponent(doc.number)}?c=${encodeURIComponent(doc.code)}`);
    if (verified.valid && verified.keyFields?.length) return verified.keyFields;
  } catch {
    // fall through to the stored values
  }
  return Object.entries(doc.payload)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .map(([label, value]) => ({ label, value: String(value) }));
}
