import { act } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { usePageMember, type ScopeSource } from '../src/index.js';
import { renderInAct } from './render-in-act.js';

const { render } = renderInAct();

interface Member {
  readonly id: string;
  readonly name: string;
}
const harvard: Member = { id: 'HarvardX', name: 'Harvard University' };
const mit: Member = { id: 'MITx', name: 'MIT' };

/** A stand-in for the scoped hub: its scope, and `go(member)` as a navigation it reports. */
function hubAt(member: Member | null) {
  const listeners = new Set<() => void>();
  let scope = { member };
  const hub: ScopeSource<Member> & { go(to: Member | null): void } = {
    get scope() {
      return scope;
    },
    onScopeChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    go(to) {
      scope = { member: to };
      for (const listener of listeners) listener();
    },
  };
  return hub;
}

function Shown({ hub }: { readonly hub: ScopeSource<Member> | null }) {
  return <p>{usePageMember(hub)?.name ?? 'platform'}</p>;
}

describe('usePageMember', () => {
  it('is the Member of the page, and follows the hub to another Member’s course and to a platform page', () => {
    const hub = hubAt(harvard);
    const container = render(<Shown hub={hub} />);
    expect(container.textContent).toBe('Harvard University');
    act(() => hub.go(mit));
    expect(container.textContent).toBe('MIT');
    act(() => hub.go(null));
    expect(container.textContent).toBe('platform');
  });

  it('is null without a hub, and on the server', () => {
    expect(render(<Shown hub={null} />).textContent).toBe('platform');
    expect(renderToString(<Shown hub={null} />)).toBe('<p>platform</p>');
  });
});
