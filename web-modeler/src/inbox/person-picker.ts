// Choosing whom a case is about: type part of the name or the start of the ID number, pick from the
// staff on the rolls the server finds (GET /api/persons, scoped like cases; ID numbers masked).
import { api } from '../shared/api';
import { clear, h } from '../shared/dom';
import { errorText } from './format';

export interface PersonHit {
  id: string;
  name: string;
  idNumberMasked: string;
  unitCode: string | null;
  unitName: string | null;
  post: string | null;
}

/** A search box and a select named `name` whose value is the chosen person's id. */
export function createPersonPicker(id: string, name: string): HTMLElement[] {
  const search = h('input', { id, type: 'search', placeholder: '输入姓名或身份证号前几位', autocomplete: 'off', 'aria-describedby': `${id}-hint` });
  const choice = h('select', { id: `${id}-choice`, name, required: true, 'aria-label': '选择人员' }, h('option', { value: '' }, '（先输入姓名查找）'));
  const hint = h('span', { id: `${id}-hint`, class: 'muted', 'aria-live': 'polite' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const find = async (q: string) => {
    const mine = ++asked;
    clear(hint);
    try {
      const hits = await api.get<PersonHit[]>(`/api/persons?q=${encodeURIComponent(q)}&limit=20`);
      if (mine !== asked) return; // a newer search answered first
      clear(choice);
      choice.append(h('option', { value: '' }, hits.length ? `找到 ${hits.length} 人，请选择` : '未找到在编人员'));
      for (const p of hits) choice.append(h('option', { value: p.id }, [p.name, p.unitName ?? p.unitCode ?? '', p.post ?? '', p.idNumberMasked].filter(Boolean).join(' · ')));
      if (hits.length === 1) choice.value = hits[0].id;
    } catch (error) {
      if (mine === asked) hint.append(errorText(error, '查找失败'));
    }
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim();
    if (q) timer = setTimeout(() => void find(q), 300);
  });
  return [search, choice, hint];
}
