// CSV as spreadsheets and councils' transparency pages expect it: RFC 4180 quoting, CRLF line
// ends, a UTF-8 byte order mark so Excel reads £ and Welsh letters correctly.

// A text cell that a spreadsheet would run as a formula (=, +, -, @, tab or carriage return
// first) is written with a leading apostrophe, so opening an export (e.g. the audit trail, which
// holds people's own text) cannot run anything. Numbers, negative ones included, are left alone.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d[\d,]*)?(\.\d+)?%?$/;

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const raw = v === null ? '' : String(v);
    const s = typeof v === 'string' && FORMULA_START.test(raw) && !PLAIN_NUMBER.test(raw) ? `'${raw}` : raw;
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
