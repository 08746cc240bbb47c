// The forms tab: the deployed forms (GET /api/forms), one opened in form-js's editor, and "部署表单"
// deploys it as the next version of the same form id through POST /api/deployments.
import { FormEditor } from '@bpmn-io/form-js-editor';
import { ApiError, api } from '../shared/api';
import { clear, formatTime, h, message } from '../shared/dom';
import { deployResource, refusedFindings } from './deploy';
import type { FormDefinition, FormDefinitionSummary } from './types';

export function createFormTab(options: { canDeploy: boolean }): { element: HTMLElement; activate(): Promise<void> } {
  const list = h('ul', { class: 'mp-list', 'aria-label': '表单' });
  const status = h('div', { class: 'mp-status' });
  const title = h('strong', {}, '请选择左侧的表单');
  const save = h('button', { type: 'button', class: 'primary', disabled: true, title: options.canDeploy ? '部署为该表单的新版本' : '需要流程编辑权限' }, '部署表单');
  const container = h('div', { class: 'mp-form-editor' });
  const element = h(
    'div',
    { class: 'mp-forms' },
    h('aside', { class: 'mp-sidebar' }, h('h2', {}, '表单'), list),
    h('section', { class: 'mp-workspace' }, h('div', { class: 'toolbar' }, title, save), status, container),
  );
  let editor: FormEditor | undefined;
  let openFormId: string | undefined;
  let loaded = false;

  const say = (kind: 'error' | 'info' | 'success', text: string) => {
    clear(status);
    status.append(message(kind, text));
  };

  async function refresh(): Promise<void> {
    const forms = await api.get<FormDefinitionSummary[]>('/api/forms');
    clear(list);
    for (const form of forms) {
      list.append(
        h('li', {}, h('button', { type: 'button', class: form.formId === openFormId ? 'mp-item active' : 'mp-item', 'data-form-id': form.formId, onclick: () => void open(form.formId) },
          h('span', {}, form.formId), h('span', { class: 'muted' }, `版本 ${form.version} · ${formatTime(form.deployedAt)}`))),
      );
    }
  }

  async function open(formId: string): Promise<void> {
    try {
      const form = await api.get<FormDefinition>(`/api/forms/${encodeURIComponent(formId)}`);
      editor ??= new FormEditor({ container });
      await editor.importSchema(form.schema as Parameters<FormEditor['importSchema']>[0]);
      openFormId = formId;
      title.textContent = `表单 ${formId}（版本 ${form.version}）`;
      save.disabled = !options.canDeploy;
      clear(status);
      await refresh();
    } catch (error) {
      say('error', `表单无法打开：${(error as Error).message}`);
    }
  }

  save.addEventListener('click', async () => {
    if (!editor || !openFormId) return;
    save.disabled = true;
    try {
      // the form keeps its id: a new version of the same form, whatever the editor did to `id`
      const schema = { ...editor.saveSchema(), id: openFormId };
      const result = await deployResource(`${openFormId}.form`, JSON.stringify(schema, null, 2), 'application/json');
      const deployed = result.forms.find((f) => f.formId === openFormId);
      say('success', deployed?.isNew ? `已部署表单 ${openFormId} 版本 ${deployed.version}` : `内容未变，表单 ${openFormId} 仍为版本 ${deployed?.version ?? ''}`);
      title.textContent = `表单 ${openFormId}（版本 ${deployed?.version ?? ''}）`;
      await refresh();
    } catch (error) {
      const findings = refusedFindings(error, `${openFormId}.form`);
      say('error', findings ? `部署被拒绝：${findings.map((f) => f.message).join('；')}` : error instanceof ApiError ? error.message : String(error));
    } finally {
      save.disabled = !options.canDeploy;
    }
  });

  return {
    element,
    async activate() {
      if (loaded) return;
      loaded = true;
      await refresh().catch((error: unknown) => say('error', (error as Error).message));
    },
  };
}
