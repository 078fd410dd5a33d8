import type { DefaultTreeAdapterMap } from 'parse5';

/** A node of a document parsed by parse5. */
export type HtmlNode = DefaultTreeAdapterMap['node'];
/** An element of a document parsed by parse5. */
export type HtmlElement = DefaultTreeAdapterMap['element'];

/** The value of an attribute (no namespace) of `element`, if it has it. */
export function attribute(element: HtmlElement, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name && attr.namespace === undefined)?.value;
}

/** The children of `node`; for an HTML `<template>`, those of its content (an SVG or MathML one has none). */
export function childrenOf(node: HtmlNode): HtmlNode[] {
  if ('tagName' in node && node.tagName === 'template' && 'content' in node) return node.content.childNodes;
  return 'childNodes' in node ? node.childNodes : [];
}

/**
 * Every node of `node`, in document order (`<template>` content included). Walked with a stack of
 * its own, not by recursion: sloppy HTML leaves thousands of elements open, one inside the other.
 */
export function* nodes(node: HtmlNode): Generator<HtmlNode> {
  const stack = [node];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    yield next;
    for (const child of [...childrenOf(next)].reverse()) stack.push(child);
  }
}
