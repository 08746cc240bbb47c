// The token-simulation toggle: a what-if walk through the diagram before deploying (bpmn-js-token-simulation
// blocks modelling while it is on).
import type Modeler from 'bpmn-js/lib/Modeler';
import type EventBus from 'diagram-js/lib/core/EventBus';
import { h } from '../shared/dom';

interface ToggleMode {
  toggleMode(active?: boolean): void;
}

export function createSimulationToggle(modeler: Modeler, onChange: (active: boolean) => void): HTMLButtonElement {
  const button = h('button', { type: 'button', 'aria-pressed': 'false', title: '在不部署的情况下模拟令牌走向', onclick: () => modeler.get<ToggleMode>('toggleMode').toggleMode() }, '模拟运行');
  modeler.get<EventBus>('eventBus').on('tokenSimulation.toggleMode', (event: { active: boolean }) => {
    button.setAttribute('aria-pressed', String(event.active));
    button.textContent = event.active ? '退出模拟' : '模拟运行';
    onChange(event.active);
  });
  return button;
}
