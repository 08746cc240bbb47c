// The sheet names of an XLSX file by worksheet part (xl/worksheets/sheetN.xml → name), read from the zip's
// central directory: exceljs's streaming reader loses them when xl/workbook.xml comes late in the zip (as
// exceljs's own writer and some other tools place it). Only the two small parts are inflated.
import { inflateRawSync } from 'node:zlib';

/** The entries of a zip file: name → its stored bytes' location and compression. */
function centralDirectory(zip: Buffer): Map<string, { method: number; offset: number; compressedSize: number }> {
  const entries = new Map<string, { method: number; offset: number; compressedSize: number }>();
  // the end-of-central-directory record: within the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return entries;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && p + 46 <= zip.length && zip.readUInt32LE(p) === 0x02014b50; n++) {
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const offset = zip.readUInt32LE(p + 42);
    entries.set(zip.toString('utf8', p + 46, p + 46 + nameLength), { method, offset, compressedSize });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readEntry(zip: Buffer, entry: { method: number; offset: number; compressedSize: number }): string | undefined {
  const p = entry.offset;
  if (zip.readUInt32LE(p) !== 0x04034b50) return undefined;
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data.toString('utf8');
  if (entry.method === 8) return inflateRawSync(data).toString('utf8');
  return undefined;
}

const unescape = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : e === 'amp' ? '&' : String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** worksheet part number ('1' for xl/worksheets/sheet1.xml) → sheet name; empty when the file cannot be read. */
export function xlsxSheetNames(zip: Buffer): Map<string, string> {
  const names = new Map<string, string>();
  try {
    const entries = centralDirectory(zip);
    const workbook = entries.get('xl/workbook.xml');
    const rels = entries.get('xl/_rels/workbook.xml.rels');
    if (!workbook || !rels) return names;
    const targets = new Map<string, string>();
    for (const tag of readEntry(zip, rels)?.match(/<Relationship\b[^>]*>/g) ?? []) {
      const id = attr(tag, 'Id');
      const target = attr(tag, 'Target');
      if (id && target) targets.set(id, target);
    }
    for (const tag of readEntry(zip, workbook)?.match(/<(?:\w+:)?sheet\b[^>]*>/g) ?? []) {
      const name = attr(tag, 'name');
      const rid = /\s(?:\w+:)?id="([^"]*)"/.exec(tag)?.[1];
      const part = rid ? /worksheets\/sheet(\d+)\.xml$/.exec(targets.get(rid) ?? '')?.[1] : undefined;
      if (name !== undefined && part) names.set(part, unescape(name));
    }
  } catch {
    // a damaged zip: the streaming reader reports it
  }
  return names;
}
