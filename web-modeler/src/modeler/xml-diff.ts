// A line diff of two diagram versions, rendered as +/- lines with a little context around each change.
import { diffLines } from 'diff';
import { h } from '../shared/dom';

const CONTEXT = 2;

interface Line {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

export function xmlDiffLines(before: string, after: string): Line[] {
  return diffLines(before, after).flatMap((part) => {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    return part.value.replace(/\n$/, '').split('\n').map((text): Line => ({ kind, text }));
  });
}

/** The changed lines and CONTEXT unchanged lines around them; "…" where unchanged lines are left out. */
export function renderXmlDiff(before: string, after: string): HTMLElement {
  const lines = xmlDiffLines(before, after);
  const keep = lines.map((line, i) => line.kind !== 'same' || lines.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.kind !== 'same'));
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  const pre = h('pre', { class: 'mp-diff' });
  let skipped = false;
  lines.forEach((line, i) => {
    if (!keep[i]) {
      if (!skipped) pre.append(h('span', { class: 'mp-diff-skip' }, '…\n'));
      skipped = true;
      return;
    }
    skipped = false;
    const sign = line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  ';
    pre.append(h('span', { class: `mp-diff-${line.kind}` }, `${sign}${line.text}\n`));
  });
  return h('div', {}, h('p', { class: 'muted' }, added || removed ? `新增 ${added} 行，删除 ${removed} 行` : '两个版本的 XML 相同'), pre);
}
