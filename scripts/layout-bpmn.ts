// Adds diagram interchange (a readable left-to-right layout) to BPMN files written by hand:
//   npx tsx scripts/layout-bpmn.ts file.bpmn [more.bpmn …]
// The files are rewritten in place; a diagram without DI is refused by lint (bpmnlint no-bpmndi).
// bpmn-auto-layout draws sub-processes collapsed; their content goes to a plane of its own (bpmn-js drills
// down into it), and boundary events of one task are spread along its bottom edge.
import { readFileSync, writeFileSync } from 'node:fs';
import { layoutProcess } from 'bpmn-auto-layout';

async function main(files: string[]): Promise<void> {
  if (!files.length) throw new Error('usage: tsx scripts/layout-bpmn.ts <file.bpmn> [...]');
  for (const file of files) {
    const semantic = readFileSync(file, 'utf8');
    writeFileSync(file, spreadBoundaries(separateSubProcessPlanes(semantic, await layoutProcess(semantic))));
    console.log(`laid out ${file}`);
  }
}

/**
 * bpmn-auto-layout draws a sub-process collapsed but leaves its content's shapes in the main plane:
 * move them to a plane of their own (bpmn-js drills down into it).
 */
function separateSubProcessPlanes(semantic: string, xml: string): string {
  for (const sub of semantic.matchAll(/<bpmn:subProcess id="([^"]+)"[^>]*>([\s\S]*?)\n\s*<\/bpmn:subProcess>/g)) {
    const ids = [...sub[2].matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    const moved: string[] = [];
    for (const id of ids) {
      const re = new RegExp(`\\s*<bpmndi:(BPMNShape|BPMNEdge) id="[^"]+" bpmnElement="${id}">[\\s\\S]*?</bpmndi:\\1>`);
      const m = re.exec(xml);
      if (!m) continue;
      moved.push(m[0]);
      xml = xml.replace(m[0], '');
    }
    const plane = `  <bpmndi:BPMNDiagram id="BPMNDiagram_${sub[1]}">\n    <bpmndi:BPMNPlane id="BPMNPlane_${sub[1]}" bpmnElement="${sub[1]}">${moved.join('')}\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>`;
    xml = xml.replace('</bpmn:definitions>', `${plane}\n</bpmn:definitions>`);
  }
  return xml;
}

/** bpmn-auto-layout puts two boundary events of one task almost on top of each other: space them out. */
function spreadBoundaries(xml: string): string {
  const attached = new Map<string, string[]>();
  for (const m of xml.matchAll(/<bpmn:boundaryEvent id="([^"]+)"[^>]*attachedToRef="([^"]+)"/g)) {
    if (!attached.has(m[2]!)) attached.set(m[2]!, []);
    attached.get(m[2])!.push(m[1]!);
  }
  for (const [task, ids] of attached) {
    if (ids.length < 2) continue;
    const tb = new RegExp(`bpmnElement="${task}">\\s*<dc:Bounds x="([\\d.]+)"`).exec(xml);
    if (!tb) continue;
    const tx = Number(tb[1]);
    ids.forEach((id, i) => {
      const nx = tx + 4 + i * 46;
      const re = new RegExp(`(bpmnElement="${id}">\\s*<dc:Bounds x=")([\\d.]+)`);
      const old = re.exec(xml);
      if (!old) return;
      const dx = nx - Number(old[2]);
      xml = xml.replace(re, `$1${nx}`);
      // the edges leaving it start at its bottom centre: move their first two waypoints along
      for (const f of xml.matchAll(new RegExp(`<bpmn:sequenceFlow id="([^"]+)"[^>]*sourceRef="${id}"`, 'g'))) {
        const er = new RegExp(`(bpmnElement="${f[1]}">\\s*<di:waypoint x=")([\\d.]+)("[^>]*/>\\s*<di:waypoint x=")([\\d.]+)`);
        xml = xml.replace(er, (_m, a: string, x1: string, b: string, x2: string) => `${a}${Number(x1) + dx}${b}${Number(x2) + dx}`);
      }
    });
  }
  return xml;
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
