// bpmn-moddle 10 ships types for the element tree only (`bpmn-moddle/types`), not for its entry.
declare module 'bpmn-moddle' {
  export interface FromXmlResult {
    rootElement: unknown;
    elementsById: Record<string, unknown>;
    references: unknown[];
    warnings: { message: string }[];
  }
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<FromXmlResult>;
  }
}
