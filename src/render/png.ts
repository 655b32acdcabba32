// The PNG pictures of charts in the Word documents (a report, the board pack, a business case).
// Word 2016 and later show the chart's SVG; the PNG is the fallback older Word shows. resvg
// draws it from the same SVG in the embedded Noto Sans only, never the machine's fonts: the same
// picture on every server, and £ ŵ ŷ drawn whatever fonts are installed (the chart asks for
// system-ui…sans-serif). Without resvg (its native binary did not load) there is no PNG, and the
// documents say where the chart is instead.
//
// Memory. resvg returns a RenderedImage holding the whole pixmap (1,280 × 800 × 4 bytes, about
// 4 MB) in native memory that V8 does not count, so nothing prompts a garbage collection and the
// pixmaps pile up until one happens: a Word board pack of 450 charts held about 2.3 GB of them
// (resvg-js 2.6 has no free() or dispose()). So pictures are drawn in turn, resvg drawing the next
// on libuv's threads while this thread encodes the last, and after every 8 pictures a full
// collection frees the pixmaps already encoded: 300 charts peaked at 173 MB instead of 1,110 MB
// with no collection, in 5.5 s instead of 9.3 s one at a time. (A young-generation collection
// after each picture, cheaper, freed them when drawn one at a time but not when drawing overlaps
// encoding.) The
// collector is reached as Jest's leak detector reaches it: `--expose-gc` turned on just long
// enough to fetch `gc` from a new context.

import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Resvg = typeof import('@resvg/resvg-js');

const FONT_FILES = [
  '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
];
/** Pixels across: twice the width the image takes on the page (17 cm at 96 to the inch), so it prints sharply. */
export const PNG_WIDTH = 1280;

let resvg: Promise<Resvg | undefined> | undefined;

/** resvg, loaded on first use; undefined when its native binary is missing or will not load. */
function loadResvg(): Promise<Resvg | undefined> {
  resvg ??= import('@resvg/resvg-js').then(
    (m) => (typeof m.renderAsync === 'function' ? m : undefined),
    () => undefined,
  );
  return resvg;
}

type Collect = () => void;
/** Pictures encoded since the last full collection, in this thread. */
let sinceCollection = 0;
const COLLECT_EVERY = 8;
let collect: Collect | null | undefined;

/** V8's collector, or null where it cannot be reached (then memory waits for V8's own collections). */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: Collect }).gc;
  if (typeof exposed === 'function') return (collect = exposed);
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  } catch {
    collect = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

// PNGs of recent charts: the SVGs are cached and compared as strings, and a report is downloaded
// again and again between edits. ~60 kB each.
const cache = new Map<string, Buffer>();
const CACHE_SIZE = 64;

/** The chart's PNG fallback, or undefined when resvg cannot draw it here. */
export async function chartPng(svg: string): Promise<Buffer | undefined> {
  return (await chartPngsInTurn([svg]))[0];
}

/**
 * The PNGs of `svgs`, in order: one encoded on this thread while resvg draws the next, the
 * pixmaps freed every few pictures (see the header). Charts drawn recently come from the cache.
 */
export async function chartPngsInTurn(svgs: string[]): Promise<(Buffer | undefined)[]> {
  const out: (Buffer | undefined)[] = svgs.map((svg) => cached(svg));
  const todo = svgs.flatMap((svg, i) => (out[i] ? [] : [i]));
  if (todo.length === 0) return out;
  const lib = await loadResvg();
  if (!lib) return out;
  const fontFiles = FONT_FILES.map((f) => createRequire(import.meta.url).resolve(f));
  const draw = (svg: string) =>
    lib
      .renderAsync(svg, {
        fitTo: { mode: 'width', value: PNG_WIDTH },
        background: '#ffffff',
        font: { loadSystemFonts: false, fontFiles, defaultFontFamily: 'Noto Sans', sansSerifFamily: 'Noto Sans' },
        logLevel: 'off',
      })
      .then(
        (image) => ({ image }),
        () => ({ image: undefined }),
      );
  let next = draw(svgs[todo[0]!]!);
  for (let k = 0; k < todo.length; k++) {
    const i = todo[k]!;
    const { image } = await next;
    if (k + 1 < todo.length) next = draw(svgs[todo[k + 1]!]!);
    out[i] = encode(svgs[i]!, image);
    if (++sinceCollection >= COLLECT_EVERY) {
      sinceCollection = 0;
      collector()?.();
    }
  }
  return out;
}

type RenderedImage = Awaited<ReturnType<Resvg['renderAsync']>>;

function cached(svg: string): Buffer | undefined {
  const hit = cache.get(svg);
  if (hit) {
    cache.delete(svg);
    cache.set(svg, hit);
  }
  return hit;
}

function encode(svg: string, image: RenderedImage | undefined): Buffer | undefined {
  if (!image) return undefined;
  let png: Buffer;
  try {
    png = image.asPng();
  } catch {
    return undefined;
  }
  cache.set(svg, png);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return png;
}
