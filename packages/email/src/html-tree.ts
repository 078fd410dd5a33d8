import type { DefaultTreeAdapterMap } from 'parse5';

/** A node of a document parsed by parse5. */
export type HtmlNode = DefaultTreeAdapterMap['node'];
/** An element of a document parsed by parse5. */
export type HtmlElement = DefaultTreeAdapterMap['element'];

/** The value of an attribute (no namespace) of `element`, if it has it. */
export function attribute(element: HtmlElement, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name && attr.namespace === undefined)?.value;
}

/** The children of `node`; for a `<template>`, those of its content. */
export function childrenOf(node: HtmlNode): HtmlNode[] {
  if ('tagName' in node && node.tagName === 'template')
    return (node as DefaultTreeAdapterMap['template']).content.childNodes;
  return 'childNodes' in node ? node.childNodes : [];
}

/** Every node of `node`, in document order (`<template>` content included). */
export function* nodes(node: HtmlNode): Generator<HtmlNode> {
  yield node;
  for (const child of childrenOf(node)) yield* nodes(child);
}
