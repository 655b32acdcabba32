// The view model of a paginated list (issue 14, "lists paginated"): the GOV.UK pagination
// component's parameters and the "Showing 51 to 100 of 1,000 priorities" line, for
// templates/pagination.njk. Every link keeps the list's filters and sort, so moving between pages
// never loses what the officer chose.

import type { PageWindow } from '../../domain/page.ts';

export interface PaginationView {
  /** "Showing 51 to 100 of 1,000 priorities"; as `counted` when everything fits on one page. */
  showing: string;
  /** "1,000 priorities", "1 priority": the whole list, for a caption. */
  counted: string;
  /** The govukPagination macro's parameters; undefined when everything fits on one page. */
  component:
    | {
        landmarkLabel: string;
        previous?: { href: string };
        next?: { href: string };
        items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
      }
    | undefined;
  page: number;
  pages: number;
  total: number;
}

const count = (n: number) => n.toLocaleString('en-GB');

/**
 * The page a list's `page` query parameter asks for: one that is not a page number is the first
 * (a link typed by hand, never an error); one past the last is the service's to clamp.
 */
export function pageAsked(page: string | undefined): number {
  return /^\d{1,6}$/.test(page ?? '') ? Number(page) : 1;
}

/** A paginated list's page title: "Improvement priorities (page 2 of 3)", or the title alone on one page. */
export function pagedTitle(title: string, w: Pick<PageWindow, 'page' | 'pages'>): string {
  return w.pages > 1 ? `${title} (page ${w.page} of ${w.pages})` : title;
}

/**
 * The address of page `n` of `base`, with the list's own query parameters (filters, sort) kept and
 * empty ones left out; page 1 has no `page`, so the list's first page keeps its plain address.
 */
export function pageHref(base: string, query: Record<string, string | number | undefined>, n: number): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (key !== 'page' && value !== undefined && value !== '') q.set(key, String(value));
  if (n > 1) q.set('page', String(n));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/**
 * The pagination of one page of a list. `noun` is the list's rows as [one, many] ("priority",
 * "priorities"); `label` names the navigation landmark for a screen reader ("Pages of priorities").
 * Links go to the first and last pages and to the two either side of this one, with an ellipsis
 * for the pages between, as the GOV.UK design system shows them.
 */
export function paginationView(
  w: PageWindow,
  href: (page: number) => string,
  noun: readonly [string, string],
  label: string,
): PaginationView {
  const name = w.total === 1 ? noun[0] : noun[1];
  const counted = `${count(w.total)} ${name}`;
  const showing = w.pages > 1 ? `Showing ${count(w.first)} to ${count(w.last)} of ${counted}` : counted;
  if (w.pages <= 1) return { showing, counted, component: undefined, page: w.page, pages: w.pages, total: w.total };
  const items: NonNullable<PaginationView['component']>['items'] = [];
  let previous = 0;
  for (let n = 1; n <= w.pages; n++) {
    if (n !== 1 && n !== w.pages && Math.abs(n - w.page) > 1) continue;
    if (n - previous > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === w.page });
    previous = n;
  }
  return {
    showing,
    counted,
    component: {
      landmarkLabel: label,
      ...(w.page > 1 ? { previous: { href: href(w.page - 1) } } : {}),
      ...(w.page < w.pages ? { next: { href: href(w.page + 1) } } : {}),
      items,
    },
    page: w.page,
    pages: w.pages,
    total: w.total,
  };
}
