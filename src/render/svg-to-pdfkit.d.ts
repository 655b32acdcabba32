// Types for svg-to-pdfkit 0.1.x, which ships none: only the options pdf.ts uses or may need.

declare module 'svg-to-pdfkit' {
  namespace SVGtoPDF {
    interface FontOptions {
      /** Set to true by a font callback that could not find a bold face, to have it emboldened. */
      fauxBold: boolean;
      fauxItalic: boolean;
    }

    interface Options {
      /** Width of the viewport in points (unless `assumePt`, in CSS pixels); the viewBox is fitted into it. */
      width?: number;
      height?: number;
      preserveAspectRatio?: string;
      /** Treat SVG user units as points rather than CSS pixels (1px = 0.75pt). */
      assumePt?: boolean;
      /** Decimal places of coordinates written to the PDF (default 3). */
      precision?: number;
      /** The name of a font registered with pdfkit (or a standard font) for a text element. */
      fontCallback?: (family: string, bold: boolean, italic: boolean, fontOptions: FontOptions) => string;
      warningCallback?: (message: string) => void;
      imageCallback?: (link: string) => string;
    }
  }

  function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, options?: SVGtoPDF.Options): void;

  export = SVGtoPDF;
}
