// Reading rendered HTML in tests: its visible text (tags removed, entities decoded), and
// simple lookups by data-qa marker.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** The text a reader sees, in document order, whitespace collapsed. Scripts and styles dropped. */
export function htmlText(html: string): string {
  const body = html.replace(/<(script|style|svg)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  return decodeEntities(body).replace(/\s+/g, ' ').trim();
}

export function hasDataQa(html: string, name: string): boolean {
  return new RegExp(`data-qa="${name}"`).test(html);
}

/** The first error summary's messages, or [] when the page has none. */
export function errorSummary(html: string): string[] {
  const m =
    /<div class="govuk-error-summary"[\s\S]*?<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(
      html,
    );
  if (!m) return [];
  return [...m[1]!.matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map(
    (x) => `${x[1]} ${decodeEntities(x[2]!.trim())}`,
  );
}
