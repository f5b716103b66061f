/** Just enough XML for the query protocols (SQS, SNS, STS): escaping and elements from plain values. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes the five XML special characters. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  readonly [tag: string]: XmlValue;
}

/**
 * Renders `{ Tag: value }` as `<Tag>value</Tag>`. An array under a tag repeats the tag per item
 * (the query protocol's flattened lists); undefined and null are left out.
 */
export function toXml(node: XmlNode): string {
  let out = '';
  for (const [tag, value] of Object.entries(node)) out += element(tag, value);
  return out;
}

function element(tag: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => element(tag, item)).join('');
  if (typeof value === 'object') return `<${tag}>${toXml(value)}</${tag}>`;
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}
