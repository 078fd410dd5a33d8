import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll } from 'vitest';

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean;
}

/** A test file's React root, as {@link renderInAct} gives it. */
export interface RootInAct {
  /** Renders `node` into a fresh container (a new root), inside act; returns the container. */
  readonly render: (node: ReactNode) => HTMLElement;
  /** Renders `node` into the root of the last `render` or `mount`, inside act (the page's next render). */
  readonly rerender: (node: ReactNode) => void;
  /** Unmounts that root inside act, before the test ends (the provider's clean-up, a banner removed). */
  readonly unmount: () => void;
  /** A new root in a fresh container, rendered into by the test itself (outside act); unmounted after the test. */
  readonly mount: () => Root;
}

/**
 * One React root a test, for a test file's top level: React is told it runs in act, and after each
 * test the root is unmounted and the page emptied (a banner mounted on `document.body` too), so no
 * test sees another's tree.
 */
export function renderInAct(): RootInAct {
  let root: Root | null = null;
  beforeAll(() => {
    globalThis.IS_REACT_ACT_ENVIRONMENT = true;
  });
  const unmount = () => {
    act(() => root?.unmount());
    root = null;
  };
  afterEach(() => {
    unmount();
    document.body.replaceChildren();
  });
  const mount = (container = document.body.appendChild(document.createElement('div'))) =>
    (root = createRoot(container));
  return {
    render: (node) => {
      const container = document.body.appendChild(document.createElement('div'));
      const fresh = mount(container);
      act(() => fresh.render(node));
      return container;
    },
    rerender: (node) => act(() => root?.render(node)),
    unmount,
    mount: () => mount(),
  };
}

/** Lets the page's timers and effects run (10 ms), inside act. */
export const later = () => act(() => new Promise((resolve) => setTimeout(resolve, 10)));
