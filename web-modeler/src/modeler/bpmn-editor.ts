// The bpmn-js Modeler as the page uses it: Zeebe moddle, the Zeebe properties panel, the Camunda 8
// modelling behaviours, our element templates (locked fields shown in the panel) and token simulation.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ZeebePropertiesProviderModule } from 'bpmn-js-properties-panel';
import { CloudElementTemplatesPropertiesProviderModule } from 'bpmn-js-element-templates';
import ZeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import type { ElementTemplate } from './types';

export interface BpmnEditorParts {
  canvas: HTMLElement;
  properties: HTMLElement;
  templates: readonly ElementTemplate[];
}

export function createBpmnModeler({ canvas, properties, templates }: BpmnEditorParts): Modeler {
  return new Modeler({
    container: canvas,
    propertiesPanel: { parent: properties },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      CloudElementTemplatesPropertiesProviderModule,
      ZeebeBehaviorsModule,
      TokenSimulationModule,
    ],
    moddleExtensions: { zeebe: zeebeModdle },
    elementTemplates: [...templates],
  });
}

/** The diagram as a file for POST /api/deployments. */
export async function diagramXml(modeler: Modeler): Promise<string> {
  const { xml } = await modeler.saveXML({ format: true });
  if (!xml) throw new Error('流程图无法导出');
  return xml;
}
