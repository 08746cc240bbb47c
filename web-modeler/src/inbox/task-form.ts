// One task's form: the deployed form-js schema prefilled with the task's variables, read-only until
// the user holds the task; submit validates in form-js, then POST /complete, whose field errors
// (400) appear on the fields themselves with a summary above the form.
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-viewer/dist/assets/flatpickr/light.css';
import { Form } from '@bpmn-io/form-js-viewer';
import { api, ApiError, type FieldError } from '../shared/api';
import { clear, h, message } from '../shared/dom';
import { errorText, whileBusy } from './format';
import { showServerErrors } from './form-errors';
import type { TaskDetail } from './types';

export interface TaskFormOptions {
  /** called after the task was completed */
  onCompleted(): void;
}

export interface TaskForm {
  element: HTMLElement;
  destroy(): void;
}

export async function createTaskForm(task: TaskDetail, options: TaskFormOptions): Promise<TaskForm> {
  const canComplete = task.actions.includes('complete');
  const summary = h('div', { class: 'task-form-summary', 'aria-live': 'assertive' });
  const host = h('div', { class: 'task-form-host' });
  const submit = h('button', { type: 'button', class: 'primary' }, task.form ? '提交' : '办理完成');
  const element = h('section', { class: 'task-form', 'aria-label': '任务表单' }, summary, host, canComplete ? h('div', { class: 'toolbar task-form-buttons' }, submit) : null);

  if (!canComplete) summary.append(message('info', task.state === 'created' ? '认领任务后才能办理；以下内容只读。' : '任务已结束；以下内容只读。'));

  let form: Form | null = null;
  if (task.form) {
    form = new Form({ container: host });
    try {
      await form.importSchema(task.form, task.variables);
    } catch (error) {
      host.append(message('error', `表单无法显示：${errorText(error)}`));
    }
    if (!canComplete) form.setProperty('readOnly', true);
  } else {
    host.append(h('p', { class: 'muted' }, '此任务没有表单，确认后即可办理完成。'));
  }

  submit.addEventListener('click', () => void whileBusy(submit, () => send()));

  async function send(): Promise<void> {
    clear(summary);
    let variables: Record<string, unknown> = {};
    if (form) {
      const result = form.submit();
      const invalid = Object.keys(result.errors).length;
      if (invalid) {
        summary.append(message('error', `表单有 ${invalid} 处需要修改，请按字段下方的提示修正后再提交`));
        return;
      }
      variables = result.data as Record<string, unknown>;
    }
    try {
      await api.post(`/api/tasks/${task.id}/complete`, { variables });
    } catch (error) {
      summary.append(errorSummary(error));
      return;
    }
    options.onCompleted();
  }

  function errorSummary(error: unknown): HTMLElement {
    if (!(error instanceof ApiError) || !error.fieldErrors.length) return message('error', errorText(error, '提交失败，请重试'));
    const unplaced: FieldError[] = form ? showServerErrors(form, error.fieldErrors) : error.fieldErrors;
    const box = message('error', `${error.message}：共 ${error.fieldErrors.length} 处，请按字段下方的提示修正后再提交`);
    const list = h('ul', {}, ...error.fieldErrors.map((e) => h('li', {}, e.message, unplaced.includes(e) ? h('span', { class: 'muted' }, `（${e.field}）`) : null)));
    box.append(list);
    return box;
  }

  return { element, destroy: () => form?.destroy() };
}
