// "选择模板": lists the element templates that apply to the selected element (by name, with their
// description) in a dialog and applies the chosen one — bpmn-js-element-templates changes the element
// type if the template says so and writes the fixed fields, which the properties panel then shows locked.
// The properties panel's own "Select" button in its template group opens the same dialog.
import type Modeler from 'bpmn-js/lib/Modeler';
import type EventBus from 'diagram-js/lib/core/EventBus';
import type Selection from 'diagram-js/lib/features/selection/Selection';
import type { Element } from 'diagram-js/lib/model/Types';
import { clear, h } from '../shared/dom';

interface AppliedTemplate {
  id: string;
  name: string;
  description?: string;
}

interface ElementTemplatesService {
  getLatest(element: Element): AppliedTemplate[];
  get(element: Element): AppliedTemplate | null;
  applyTemplate(element: Element, template: AppliedTemplate): Element;
}

export interface TemplateChooser {
  /** the toolbar button, enabled while exactly one element with applicable templates is selected */
  button: HTMLButtonElement;
  dialog: HTMLDialogElement;
}

export function createTemplateChooser(modeler: Modeler, options: { editable: boolean }): TemplateChooser {
  const templates = modeler.get<ElementTemplatesService>('elementTemplates');
  const selection = modeler.get<Selection>('selection');
  const eventBus = modeler.get<EventBus>('eventBus');

  const list = h('ul', { class: 'mp-template-list' });
  const title = h('h3', {}, '选择元素模板');
  const dialog = h(
    'dialog',
    { class: 'mp-dialog', 'aria-label': '选择元素模板' },
    title,
    list,
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => dialog.close() }, '取消')),
  );
  const button = h('button', { type: 'button', disabled: true, title: '为选中的任务应用元素模板（任务类型等字段随之锁定）', onclick: () => open(selected()) }, '选择模板');

  const selected = (): Element | undefined => {
    const current = selection.get();
    return current.length === 1 ? (current[0] as Element) : undefined;
  };

  function open(element: Element | undefined): void {
    if (!element || !options.editable) return;
    const applicable = templates.getLatest(element);
    const current = templates.get(element);
    clear(list);
    const name = (element.businessObject as { name?: string }).name;
    title.textContent = `为「${name || element.id}」选择元素模板`;
    if (!applicable.length) list.append(h('li', { class: 'muted' }, '没有适用于此元素的模板'));
    for (const template of applicable) {
      list.append(
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: template.id === current?.id ? 'mp-template mp-template-current' : 'mp-template',
              'data-template-id': template.id,
              onclick: () => {
                dialog.close();
                const updated = templates.applyTemplate(element, template);
                selection.select(updated);
              },
            },
            h('strong', {}, template.name),
            template.description ? h('span', { class: 'muted' }, template.description) : null,
          ),
        ),
      );
    }
    dialog.showModal();
  }

  eventBus.on('selection.changed', () => {
    const element = selected();
    button.disabled = !options.editable || !element || templates.getLatest(element).length === 0;
  });
  eventBus.on('elementTemplates.select', (event: { element: Element }) => open(event.element));

  return { button, dialog };
}
