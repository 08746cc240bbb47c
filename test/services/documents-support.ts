// Shared fixtures of the document tests: two units, a person, a process instance, the service.
import { inflateSync } from 'node:zlib';
import type { Knex } from 'knex';
import { createDocumentService } from '../../server/services/documents';
import { fakeClock, type FakeClock } from '../support/clock';

export const SIGNING_SECRET = 's'.repeat(40);
export const ID_NUMBER = '11010519491231002X';

export interface DocumentFixture {
  unitA: string;
  unitB: string;
  personId: string;
  instanceA: string;
  instanceB: string;
}

/** Units A (U901, 全额 事业) and B (U902), a person 在编 in A, and one process instance per unit. */
export async function insertDocumentFixture(knex: Knex): Promise<DocumentFixture> {
  const [a] = await knex('units').insert({ code: 'U901', name: '示范区第一中学', nature: 'institution', funding_form: 'full' }).returning('id');
  const [b] = await knex('units').insert({ code: 'U902', name: '示范区人民医院', nature: 'institution', funding_form: 'partial' }).returning('id');
  const [person] = await knex('persons')
    .insert({ id_number: ID_NUMBER, name: '张三', gender: '2', birth_date: '1949-12-31', status: 'active', unit_id: a.id, bianzhi_type: 'SY', post: '专业技术十二级', profile: JSON.stringify({ ethnicity: '汉族', politicalStatus: '13' }) })
    .returning('id');
  const [definition] = await knex('process_definitions')
    .insert({ process_id: 'doc-test', version: 1, resource_name: 'doc-test.bpmn', xml: '<definitions/>', checksum: 'x', deployed_by: 'test' })
    .returning('id');
  const instance = async (unitId: string) =>
    (await knex('process_instances').insert({ definition_id: definition.id, process_id: 'doc-test', version: 1, started_by: 'user:test', variables: JSON.stringify({ unitId }) }).returning('id'))[0].id as string;
  return { unitA: a.id, unitB: b.id, personId: person.id, instanceA: await instance(a.id), instanceB: await instance(b.id) };
}

export function testDocumentService(db: Knex, clock: FakeClock = fakeClock(new Date('2026-11-24T08:00:00Z'))) {
  return createDocumentService({ db, districtCode: '370612', districtName: '示范区', signingSecret: SIGNING_SECRET, publicBaseUrl: 'https://bianzhi.example.gov.cn/', clock: clock.now });
}

/** An 入编通知单 payload as document.generate writes it. */
export const RBTZ_PAYLOAD = {
  name: '张三',
  gender: '女',
  idNumber: ID_NUMBER,
  birthDate: '1949-12-31',
  ethnicity: '汉族',
  politicalStatus: '群众',
  quotaNoticeNumber: '370612-YBTZ-2026-0001',
  entryMode: '招聘',
  unitName: '示范区第一中学',
  bianzhiType: '事业编制',
  post: '专业技术十二级',
  entryDate: '2026-11-24',
};

interface PdfObject {
  dict: string;
  stream?: string;
}

/** The objects of a PDF by number: the dictionary text and the stream, inflated when compressed. */
function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\b/g;
  let m: RegExpExecArray | null;
  while ((m = header.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endobj', start);
    const streamAt = raw.indexOf('stream', start);
    if (streamAt !== -1 && streamAt < end) {
      const dict = raw.slice(start, streamAt);
      const dataStart = streamAt + (raw[streamAt + 6] === '\r' ? 8 : 7);
      const dataEnd = raw.lastIndexOf('endstream', end);
      const bytes = pdf.subarray(dataStart, dataEnd);
      let stream = '';
      try {
        stream = (dict.includes('FlateDecode') ? inflateSync(bytes) : bytes).toString('latin1');
      } catch {
        stream = '';
      }
      objects.set(Number(m[1]), { dict, stream });
    } else {
      objects.set(Number(m[1]), { dict: raw.slice(start, end) });
    }
    header.lastIndex = end;
  }
  return objects;
}

function parseCmap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  const chars = (h: string) => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
  for (const block of text.split('beginbfchar').slice(1)) {
    for (const e of block.split('endbfchar')[0]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(e[1]!, 16), chars(e[2]!));
  }
  for (const block of text.split('beginbfrange').slice(1)) {
    for (const e of block.split('endbfrange')[0]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const lo = parseInt(e[1]!, 16);
      const hi = parseInt(e[2]!, 16);
      if (e[3]!.startsWith('[')) [...e[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].forEach((x, i) => map.set(lo + i, chars(x[1]!)));
      else for (let g = lo; g <= hi; g++) map.set(g, String.fromCodePoint(parseInt(e[3]!.slice(1, -1), 16) + (g - lo)));
    }
  }
  return map;
}

/**
 * The text of a pdfkit PDF: the glyph ids of each `<hex> Tj` / `[<hex> …] TJ` mapped through the
 * ToUnicode CMap of the font selected with `/F<n> … Tf`. One line per text operation.
 */
export function extractPdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const cmaps = new Map<string, Map<number, string>>();
  for (const [, object] of objects) {
    const fonts = /\/Font\s*<<([^>]*)>>/.exec(object.dict);
    if (!fonts) continue;
    for (const f of fonts[1]!.matchAll(/\/(F\d+)\s+(\d+) 0 R/g)) {
      const toUnicode = /\/ToUnicode\s+(\d+) 0 R/.exec(objects.get(Number(f[2]))?.dict ?? '');
      if (toUnicode) cmaps.set(f[1]!, parseCmap(objects.get(Number(toUnicode[1]))?.stream ?? ''));
    }
  }
  let text = '';
  for (const [, object] of objects) {
    if (object.stream === undefined || /\/(Subtype|Type|Length1)/.test(object.dict)) continue;
    let map: Map<number, string> | undefined;
    for (const op of object.stream.matchAll(/\/(F\d+)\s+[\d.]+\s+Tf|\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      if (op[1]) {
        map = cmaps.get(op[1]);
        continue;
      }
      const hexes = op[2] !== undefined ? [...op[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => x[1]!) : [op[3]!];
      for (const h of hexes) for (const g of h.match(/.{4}/g) ?? []) text += map?.get(parseInt(g, 16)) ?? '';
      text += '\n';
    }
  }
  return text;
}
