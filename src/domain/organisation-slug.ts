// The name an organisation's URLs carry (`/o/leeds/priorities`): lowercase letters, digits and
// single hyphens, at most 60 characters. Made from the short name (else the name) when an
// operator does not choose one; the migration that introduced slugs used the same rule.

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const SLUG_MAX = 60;

/** "Leeds City Council" → "leeds-city-council"; "Ynys Môn" → "ynys-mon"; never empty. */
export function slugFor(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return base || 'organisation';
}

export const isSlug = (s: string): boolean => s.length <= SLUG_MAX && SLUG_PATTERN.test(s);
