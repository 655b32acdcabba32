// Which rows of a long list one page shows (issue 14, "lists paginated"): the arithmetic every
// paginated list shares, so a page past the last is the last (never an error or an empty page that
// looks like "nothing here") and the numbers a page states ("51 to 100 of 1,000") agree with the
// rows it reads.

/** One page of a list of `total` rows: which it is, how many there are, and the rows it holds. */
export interface PageWindow {
  /** From 1; a page asked for past the last is the last. */
  page: number;
  /** At least 1: an empty list has one (empty) page. */
  pages: number;
  pageSize: number;
  total: number;
  /** Rows to skip and to read (SQL `offset` and `limit`). */
  offset: number;
  limit: number;
  /** The first and last row shown, from 1 (0 and 0 for an empty list). */
  first: number;
  last: number;
}

/**
 * The page of `total` rows, `pageSize` a page, nearest to the one asked for: past the last gives
 * the last, anything not a whole number from 1 gives the first.
 */
export function pageWindow(total: number, requested: number | undefined, pageSize: number): PageWindow {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a whole number from 1`);
  const count = Math.max(0, Math.floor(total));
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const asked = requested !== undefined && Number.isInteger(requested) && requested >= 1 ? requested : 1;
  const page = Math.min(asked, pages);
  const offset = (page - 1) * pageSize;
  return {
    page,
    pages,
    pageSize,
    total: count,
    offset,
    limit: pageSize,
    first: count === 0 ? 0 : offset + 1,
    last: Math.min(offset + pageSize, count),
  };
}
