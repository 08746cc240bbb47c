// The verification of a case as a badge: the hash chain intact and a re-run of the recorded inputs on
// the recorded diagram version reproducing the recorded path (green), or the first problem found (red).
// Only users who may verify (history.verify) see it; it runs when the page opens and on request.
import { ApiError } from '../shared/api';
import { clear, formatTime, h } from '../shared/dom';
import type { VerifyResult } from './case-data';

/** The badge's words and its first problem, if any. */
export function describeVerification(result: VerifyResult): { ok: boolean; label: string; detail: string } {
  if (result.ok) return { ok: true, label: '已验证 · 链完整', detail: `哈希链完整（${result.chain.checked} 条记录），按记录重放路径一致` };
  if (!result.chain.intact) {
    const p = result.chain.problem;
    return { ok: false, label: '发现篡改', detail: p ? `第 ${p.seq} 条：${p.message}` : '哈希链不完整' };
  }
  const d = result.rerun.divergence;
  return { ok: false, label: '不一致', detail: d ? `第 ${d.seq} 条（${d.kind}${d.elementId ? ` · ${d.elementId}` : ''}）：${d.message}` : '重放结果与记录不一致' };
}

export function createVerifyBadge(verify: () => Promise<VerifyResult>): HTMLElement {
  const output = h('span', { class: 'verify-result', role: 'status', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'link', onclick: () => void run() }, '重新核验');
  const element = h('div', { class: 'verify', 'data-testid': 'verify' }, h('span', { class: 'muted' }, '记录核验：'), output, again);

  async function run() {
    again.disabled = true;
    clear(output);
    output.append(h('span', { class: 'badge' }, '核验中…'));
    try {
      const result = await verify();
      const { ok, label, detail } = describeVerification(result);
      clear(output);
      output.append(
        h('span', { class: `badge ${ok ? 'badge-ok' : 'badge-error'}`, 'data-verified': ok ? 'ok' : 'problem' }, label),
        ' ',
        h('span', { class: ok ? 'muted' : 'verify-problem' }, detail),
        ' ',
        h('span', { class: 'muted' }, `核验于 ${formatTime(result.verifiedAt)}`),
      );
    } catch (error) {
      clear(output);
      output.append(h('span', { class: 'badge badge-warn' }, '无法核验'), ' ', (error as ApiError).message);
    } finally {
      again.disabled = false;
    }
  }
  void run();
  return element;
}
