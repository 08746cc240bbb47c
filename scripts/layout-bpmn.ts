// Adds diagram interchange (a readable left-to-right layout) to BPMN files written by hand:
//   npx tsx scripts/layout-bpmn.ts file.bpmn [more.bpmn …]
// The files are rewritten in place; a diagram without DI is refused by lint (bpmnlint no-bpmndi).
import { readFileSync, writeFileSync } from 'node:fs';
import { layoutProcess } from 'bpmn-auto-layout';

async function main(files: string[]): Promise<void> {
  if (!files.length) throw new Error('usage: tsx scripts/layout-bpmn.ts <file.bpmn> [...]');
  for (const file of files) {
    writeFileSync(file, await layoutProcess(readFileSync(file, 'utf8')));
    console.log(`laid out ${file}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
