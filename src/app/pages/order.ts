/**
 * The navigation order of pages, as dash/_pages.py sorts `page_registry` after every
 * `register_page`: `/` gets order 0 when no page gives one; then numeric orders (ascending),
 * then string orders, then pages without one; ties by `str(order)`, then by module name.
 */

export type PageOrder = number | string;

interface Orderable {
  readonly path: string;
  readonly module: string;
  readonly suppliedOrder: PageOrder | undefined;
}

/** Each page's effective order (Dash's "set home page order"). */
export function effectiveOrder(page: Orderable, anySupplied: boolean): PageOrder | undefined {
  return page.path === '/' && !anySupplied ? 0 : page.suppliedOrder;
}

/** Dash's sort key: (no order, numeric order or infinity, str(order), module), compared in turn. */
export function comparePages(
  a: Orderable & { order: PageOrder | undefined },
  b: Orderable & { order: PageOrder | undefined },
): number {
  return (
    compare(a.order === undefined ? 1 : 0, b.order === undefined ? 1 : 0) ||
    compare(numericKey(a.order), numericKey(b.order)) ||
    compare(pythonStr(a.order), pythonStr(b.order)) ||
    compare(a.module, b.module)
  );
}

function numericKey(order: PageOrder | undefined): number {
  return typeof order === 'number' ? order : Number.POSITIVE_INFINITY;
}

/** Python's `str()` of the order: integers without a decimal point, as JavaScript's String(). */
function pythonStr(order: PageOrder | undefined): string {
  return order === undefined ? 'None' : String(order);
}

/** Python compares str by code point; JavaScript's < by UTF-16 unit (the same below U+10000). */
function compare<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
