// A strict little XML reader for the chart tests: enough of XML 1.0 to prove that an SVG is
// well-formed (one root, balanced tags, quoted and unique attributes, only the five named
// entities and character references, no characters XML forbids) and to walk what it parsed.
// No DOCTYPE, CDATA or processing instructions but the XML declaration: the charts use none.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ILLEGAL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class XmlError extends Error {}

function decode(raw: string, at: number): string {
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new XmlError(`bare & at ${at}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (num) return String.fromCodePoint(num[1] ? parseInt(num[1], 16) : parseInt(num[2]!, 10));
    throw new XmlError(`unknown entity &${body}; at ${at}`);
  });
}

export function parseXml(source: string): XmlElement {
  if (ILLEGAL.test(source)) throw new XmlError('character not allowed in XML');
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = i;
      ws.exec(source);
      i = ws.lastIndex;
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError(`unclosed comment at ${i}`);
        i = end + 3;
      } else return;
    }
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(source);
    if (!m) throw new XmlError(`expected a name at ${i}`);
    i = NAME.lastIndex;
    return m[0];
  };

  if (source.startsWith('<?xml', i)) {
    const end = source.indexOf('?>', i);
    if (end < 0) throw new XmlError('unclosed XML declaration');
    i = end + 2;
  }
  skipMisc();

  const element = (): XmlElement => {
    if (source[i] !== '<') throw new XmlError(`expected < at ${i}`);
    i++;
    const el: XmlElement = { name: name(), attributes: {}, children: [] };
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = i;
      const spaced = ws.exec(source)![0].length > 0;
      i = ws.lastIndex;
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (!spaced) throw new XmlError(`attributes need white space between them at ${i}`);
      const attr = name();
      if (attr in el.attributes) throw new XmlError(`duplicate attribute ${attr} at ${i}`);
      if (source[i] !== '=') throw new XmlError(`expected = after ${attr} at ${i}`);
      i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") throw new XmlError(`unquoted value of ${attr} at ${i}`);
      const end = source.indexOf(quote, i + 1);
      if (end < 0) throw new XmlError(`unclosed value of ${attr}`);
      const raw = source.slice(i + 1, end);
      if (raw.includes('<')) throw new XmlError(`< in the value of ${attr} at ${i}`);
      el.attributes[attr] = decode(raw, i);
      i = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) throw new XmlError(`unclosed <${el.name}>`);
      if (next > i) {
        const raw = source.slice(i, next);
        if (raw.includes(']]>')) throw new XmlError(`]]> in text at ${i}`);
        el.children.push(decode(raw, i));
        i = next;
      }
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) throw new XmlError(`</${closing}> closes <${el.name}> at ${i}`);
        const ws = /\s*>/y;
        ws.lastIndex = i;
        if (!ws.exec(source)) throw new XmlError(`expected > at ${i}`);
        i = ws.lastIndex;
        return el;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) throw new XmlError(`unclosed comment at ${i}`);
        i = end + 3;
        continue;
      }
      if (source.startsWith('<!', i) || source.startsWith('<?', i)) throw new XmlError(`unsupported markup at ${i}`);
      el.children.push(element());
    }
  };

  const root = element();
  skipMisc();
  if (i !== source.length) throw new XmlError(`content after the root element at ${i}`);
  return root;
}

/** Every element in document order, the root included. */
export function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [root];
  for (const child of root.children) if (typeof child !== 'string') out.push(...allElements(child));
  return out;
}

export function textContent(node: XmlNode): string {
  return typeof node === 'string' ? node : node.children.map(textContent).join('');
}
