// The modeler page (/modeler): open any deployed process and version, edit it with the Zeebe properties
// panel and our element templates, see the deployment checks live, simulate, compare versions and
// deploy; a second tab edits and deploys forms. Deploying needs `deployment.create` (policy editors);
// everyone else who may read process definitions gets the same view with the deploy actions disabled.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '../shared/base.css';
import './modeler.css';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type EventBus from 'diagram-js/lib/core/EventBus';
import { api, ApiError } from '../shared/api';
import { clear, h, message } from '../shared/dom';
import { can } from '../shared/session';
import { startPage } from '../shared/shell';
import { createBpmnModeler, diagramXml } from './bpmn-editor';
import { deployResource, refusedFindings } from './deploy';
import { createFormTab } from './form-editor';
import { createLintPanel } from './lint-panel';
import { createProcessList } from './process-list';
import { createSimulationToggle } from './simulation';
import { createTemplateChooser } from './template-chooser';
import type { ElementTemplate } from './types';
import { createVersionPanel, fetchXml } from './versions';

/** Real size, the diagram's top-left corner clear of the palette: our diagrams are long, and fitted they are unreadable. */
function showStart(canvas: Canvas): void {
  const { inner, outer } = canvas.viewbox();
  canvas.viewbox({ x: inner.x - 110, y: inner.y - 40, width: outer.width, height: outer.height });
}

async function main(): Promise<void> {
  const page = await startPage('/modeler', { requires: 'process-definition.read' });
  if (!page) return;
  const { user, main: root } = page;
  const canDeploy = can(user, 'deployment.create');
  root.classList.add('mp-page');

  let templates: ElementTemplate[];
  try {
    templates = await api.get<ElementTemplate[]>('/api/element-templates');
  } catch (error) {
    root.append(message('error', `元素模板无法加载：${(error as Error).message}`));
    return;
  }

  const canvasEl = h('div', { class: 'mp-canvas', 'aria-label': '流程图' });
  const propertiesEl = h('div', { class: 'mp-properties', 'aria-label': '属性' });
  const modeler = createBpmnModeler({ canvas: canvasEl, properties: propertiesEl, templates });

  let processId = '';
  let processName = '';
  let dirty = false;
  const status = h('div', { class: 'mp-status' });
  const say = (kind: 'error' | 'info' | 'success', text: string) => {
    clear(status);
    status.append(message(kind, text));
  };

  const title = h('strong', { class: 'mp-title' }, '请选择左侧的流程');
  const showTitle = (version: number, latest: boolean) => {
    title.textContent = `${processName}（版本 ${version}${latest ? '，最新' : ''}）`;
  };
  const lint = createLintPanel(modeler, { enabled: canDeploy, resourceName: () => `${processId || 'diagram'}.bpmn` });
  const versions = createVersionPanel((version) => void openProcess(processId, version));
  const processes = createProcessList((id) => void openProcess(id));
  const chooser = createTemplateChooser(modeler, { editable: canDeploy });
  const deploy = h('button', { type: 'button', class: 'primary', disabled: true, title: canDeploy ? '检查并部署为新版本' : '需要流程编辑权限（policy-editor）' }, '部署');
  const simulate = createSimulationToggle(modeler, (active) => {
    deploy.disabled = active || !canDeploy || !processId;
  });

  const fit = h('button', { type: 'button', title: '缩放到整张流程图（Ctrl + 滚轮缩放）', onclick: () => modeler.get<Canvas>('canvas').zoom('fit-viewport') }, '全图');

  modeler.get<EventBus>('eventBus').on('commandStack.changed', () => {
    dirty = true;
  });

  async function openProcess(id: string, version?: number): Promise<void> {
    if (dirty && id !== processId && !confirm('当前流程图有未部署的修改，确定放弃吗？')) return;
    try {
      const list = await versions.load(id, version);
      const shown = version ?? list[0]?.version;
      if (shown === undefined) return;
      const xml = await fetchXml(id, shown);
      lint.reset();
      await modeler.importXML(xml);
      showStart(modeler.get<Canvas>('canvas'));
      processId = id;
      processName = list[0]?.name ?? id;
      dirty = false;
      processes.markOpen(id);
      showTitle(shown, shown === list[0]?.version);
      deploy.disabled = !canDeploy;
      clear(status);
      history.replaceState(null, '', `/modeler?process=${encodeURIComponent(id)}&version=${shown}`);
      lint.schedule();
    } catch (error) {
      say('error', `流程无法打开：${(error as Error).message}`);
    }
  }

  deploy.addEventListener('click', async () => {
    deploy.disabled = true;
    const name = `${processId}.bpmn`;
    say('info', '正在检查并部署…');
    try {
      const result = await deployResource(name, await diagramXml(modeler), 'application/xml');
      const deployed = result.processes[0];
      if (!deployed) throw new Error('服务器没有返回部署结果');
      dirty = false;
      say('success', deployed.isNew ? `已部署：${deployed.processId} 版本 ${deployed.version}。新发起的案件使用此版本，进行中的案件仍按原版本办理。` : `内容未变，${deployed.processId} 仍为版本 ${deployed.version}`);
      await versions.load(deployed.processId, deployed.version);
      showTitle(deployed.version, true);
      history.replaceState(null, '', `/modeler?process=${encodeURIComponent(deployed.processId)}&version=${deployed.version}`);
      await processes.refresh();
    } catch (error) {
      const findings = refusedFindings(error, name);
      if (findings) {
        lint.show(findings, '部署被拒绝');
        say('error', `${(error as ApiError).message}：${findings.filter((f) => f.category === 'error').length} 个错误，已在图上标出`);
      } else {
        say('error', `部署失败：${error instanceof ApiError ? error.message : (error as Error).message}`);
      }
    } finally {
      deploy.disabled = !canDeploy;
    }
  });

  const bpmnTab = h(
    'div',
    { class: 'mp-bpmn', id: 'mp-tab-bpmn', role: 'tabpanel' },
    processes.element,
    h(
      'section',
      { class: 'mp-workspace' },
      h('div', { class: 'toolbar' }, title, versions.select, fit, chooser.button, simulate, deploy),
      status,
      h('div', { class: 'mp-editor' }, canvasEl, propertiesEl),
      h('div', { class: 'mp-bottom' }, lint.element, versions.element),
    ),
  );
  const forms = createFormTab({ canDeploy });
  forms.element.id = 'mp-tab-forms';
  forms.element.setAttribute('role', 'tabpanel');
  forms.element.hidden = true;

  const tabButton = (label: string, panel: HTMLElement, onShow?: () => void) =>
    h('button', {
      type: 'button',
      role: 'tab',
      'aria-controls': panel.id,
      'aria-selected': String(!panel.hidden),
      onclick: (event: Event) => {
        for (const p of [bpmnTab, forms.element]) p.hidden = p !== panel;
        for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-selected', String(b === event.currentTarget));
        onShow?.();
      },
    }, label);
  const tabs = h('div', { class: 'tabs', role: 'tablist' }, tabButton('流程图', bpmnTab), tabButton('表单', forms.element, () => void forms.activate()));

  root.append(tabs, bpmnTab, forms.element, chooser.dialog);

  const list = await processes.refresh().catch((error: unknown) => {
    say('error', `流程列表无法加载：${(error as Error).message}`);
    return [];
  });
  const params = new URLSearchParams(location.search);
  const wanted = params.get('process') ?? list[0]?.processId;
  const version = Number(params.get('version')) || undefined;
  if (wanted) await openProcess(wanted, version);
}

void main();
