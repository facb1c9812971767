/** Text for HTML and SVG content and attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** An element with attributes (undefined ones left out) and content. */
export function el(
  name: string,
  attributes: Record<string, string | number | undefined>,
  ...content: string[]
): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
  return content.length ? `<${name}${attrs}>${content.join('')}</${name}>` : `<${name}${attrs}/>`;
}

/** Numbers in SVG coordinates: at most one decimal, so output is stable and small. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}
