// The CJK font every generated PDF embeds (case reports, documents): Noto Sans Hans (SIL OFL 1.1)
// from the npm package @embedpdf/fonts-sc, read once and subset into each PDF by pdfkit.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../core/errors';

export const CJK_FONT_PACKAGE = '@embedpdf/fonts-sc';
/** The PostScript name embedded in the PDF (as 'ABCDEF+NotoSansHans-Regular'). */
export const CJK_FONT_NAME = 'NotoSansHans-Regular';

export interface FontFiles {
  regular: Buffer;
  bold: Buffer;
}

let fonts: FontFiles | null = null;

/** The CJK font files, read once; 503 REPORT_FONT_UNAVAILABLE when the font package is not installed. */
export function cjkFonts(): FontFiles {
  if (fonts) return fonts;
  let dir: string | null = null;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve(CJK_FONT_PACKAGE)), '..', 'fonts');
  } catch {
    dir = null;
  }
  const regular = dir && join(dir, 'NotoSansHans-Regular.otf');
  const bold = dir && join(dir, 'NotoSansHans-Bold.otf');
  if (!regular || !bold || !existsSync(regular) || !existsSync(bold)) {
    throw new AppError(503, 'REPORT_FONT_UNAVAILABLE', `无法生成 PDF：缺少中文字体（npm 包 ${CJK_FONT_PACKAGE}），请在服务器上运行 npm install 后重试`, {
      package: CJK_FONT_PACKAGE,
    });
  }
  fonts = { regular: readFileSync(regular), bold: readFileSync(bold) };
  return fonts;
}

/** Registers the fonts on a document as 'cjk' and 'cjk-bold'. */
export function registerCjkFonts(doc: PDFKit.PDFDocument): void {
  const font = cjkFonts();
  doc.registerFont('cjk', font.regular);
  doc.registerFont('cjk-bold', font.bold);
}

/**
 * Gets a new document ready for Chinese text: the CJK fonts registered, and the finished file collected.
 * Call before drawing; the promise resolves with the bytes after `doc.end()`.
 */
export function startCjkPdf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  registerCjkFonts(doc);
  return done;
}

/**
 * Writes `text(page, pages)` centred at `fromBottom` points above the bottom edge of every buffered page (the
 * document needs bufferPages). The bottom margin is lifted while writing below it, or pdfkit adds a page.
 */
export function writePageFooters(doc: PDFKit.PDFDocument, text: (page: number, pages: number) => string, options: { left: number; width: number; fromBottom: number; color: string }): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('cjk')
      .fontSize(7.5)
      .fillColor(options.color)
      .text(text(i + 1, range.count), options.left, doc.page.height - options.fromBottom, { width: options.width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
}
