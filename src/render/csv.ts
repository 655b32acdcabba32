// CSV as spreadsheets and councils' transparency pages expect it: RFC 4180 quoting, CRLF line
// ends, a UTF-8 byte order mark so Excel reads £ and Welsh letters correctly.

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
