import PDFDocument from 'pdfkit';

/** The page of the exported PDFs (session record, training debrief): A4, its margins, its frame. */

export type Doc = PDFKit.PDFDocument;
export const MARGIN = 50;
export const PAGE_W = 595.28; // A4
export const CONTENT_W = PAGE_W - 2 * MARGIN;
export const FONT = 'Helvetica';
export const BOLD = 'Helvetica-Bold';

/** The standard PDF fonts speak WinAnsi: characters outside it are replaced rather than drawn as garbage. */
export const pdfText = (s: string) => s.replace(/[≥]/g, '>=').replace(/[≤]/g, '<=').replace(/[₂]/g, '2').replace(/→/g, '->').replace(/[^\x20-\x7e\xa0-\xff—–‘’“”•…]/g, '?');

/** An A4 document with room above and below the content for the frame; `done` is its bytes once ended. */
export function openPdf(info: { Title: string; Subject: string }): { doc: Doc; done: Promise<Buffer> } {
  const doc = new PDFDocument({ size: 'A4', margins: { top: MARGIN + 20, bottom: MARGIN + 20, left: MARGIN, right: MARGIN }, bufferPages: true, info: { ...info, Author: 'Ketamine infusion monitor' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

export interface PageFrame {
  /** Top left: what the document is about. */
  header: string;
  /** In red, centred at the top and the bottom of every page: simulated data is never taken for a patient's. */
  mark: string | null;
  /** Bottom centre: the record's id. */
  footer: string;
}

/** Draws the frame (header, page x of n, the mark, the footer) on every page; call once all pages exist. */
export function drawPageFrames(doc: Doc, frame: PageFrame): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.height - MARGIN;
    const margins = doc.page.margins;
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    doc.font(FONT).fontSize(8).fillColor('#444');
    doc.text(pdfText(frame.header), MARGIN, MARGIN - 10, { width: CONTENT_W / 2, lineBreak: false });
    doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN + CONTENT_W / 2, MARGIN - 10, { width: CONTENT_W / 2, align: 'right', lineBreak: false });
    if (frame.mark) {
      doc.font(BOLD).fontSize(10).fillColor('#b00020');
      doc.text(pdfText(frame.mark), MARGIN, MARGIN + 2, { width: CONTENT_W, align: 'center', lineBreak: false });
      doc.text(pdfText(frame.mark), MARGIN, bottom + 2, { width: CONTENT_W, align: 'center', lineBreak: false });
    }
    doc.font(FONT).fontSize(8).fillColor('#444').text(pdfText(frame.footer), MARGIN, bottom + 14, { width: CONTENT_W, align: 'center', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins = margins;
  }
}
