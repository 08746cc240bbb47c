// Shims for the bpmn-io packages the modeler page uses that ship no type declarations. Each is a
// diagram-js module (an object of services) or a moddle schema; the page reaches services through
// `modeler.get(name)` and types what it uses there.
declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: Record<string, unknown>;
  export const BpmnPropertiesProviderModule: Record<string, unknown>;
  export const ZeebePropertiesProviderModule: Record<string, unknown>;
}
declare module 'bpmn-js-element-templates' {
  export const CloudElementTemplatesPropertiesProviderModule: Record<string, unknown>;
}
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const behaviors: Record<string, unknown>;
  export default behaviors;
}
declare module 'bpmn-js-token-simulation' {
  const tokenSimulation: Record<string, unknown>;
  export default tokenSimulation;
}
declare module 'zeebe-bpmn-moddle/resources/zeebe.json' {
  const schema: Record<string, unknown>;
  export default schema;
}
