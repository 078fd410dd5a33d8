import { createConsent, edxPolicy } from '@optin/consent';
import { useEffect, useLayoutEffect } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConsentProvider, useTracker, type TrackerLike } from '../src/index.js';
import { renderInAct } from './render-in-act.js';

const { render, rerender, unmount } = renderInAct();

/** A learner who accepted everything (on some earlier HarvardX course page). */
const acceptedAll = () => {
  const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
  consent.acceptAll();
  return consent;
};

// HarvardX's video statistics, as defineMember re-issues them (owner set to the Member).
const harvardStats: TrackerLike = { owner: 'HarvardX', purposes: ['analytics'] };
const platformStats: TrackerLike = { owner: 'platform', purposes: ['analytics'] };

/** Shows whether HarvardX's and the platform's statistics may run: `harvard=… platform=…`. */
function Gates() {
  return <p>{`harvard=${String(useTracker(harvardStats))} platform=${String(useTracker(platformStats))}`}</p>;
}

describe("useTracker answers as the Member-scoped hub loads: a Member's tracker on its own courses only", () => {
  it("is false for HarvardX's tracker on an MITx course page, whatever the learner allowed", () => {
    const container = render(
      <ConsentProvider consent={acceptedAll()} member="MITx">
        <Gates />
      </ConsentProvider>,
    );
    expect(container.textContent).toBe('harvard=false platform=true');
  });

  it("is false for a tracker whose owner is empty text, even with an empty member (no Member is named '')", () => {
    function Nameless() {
      return <p>{String(useTracker({ owner: '', purposes: ['analytics'] }))}</p>;
    }
    const container = render(
      <ConsentProvider consent={acceptedAll()} member="">
        <Nameless />
      </ConsentProvider>,
    );
    expect(container.textContent).toBe('false');
  });

  it("is true for HarvardX's tracker on a HarvardX course page, once allowed", () => {
    const container = render(
      <ConsentProvider consent={acceptedAll()} member="HarvardX">
        <Gates />
      </ConsentProvider>,
    );
    expect(container.textContent).toBe('harvard=true platform=true');
  });

  it("is false for every Member's tracker on a platform page (member null) and where no scope is given (fails closed)", () => {
    const consent = acceptedAll();
    const platformPage = render(
      <ConsentProvider consent={consent} member={null}>
        <Gates />
      </ConsentProvider>,
    );
    expect(platformPage.textContent).toBe('harvard=false platform=true');
    unmount();
    const unknown = render(
      <ConsentProvider consent={consent}>
        <Gates />
      </ConsentProvider>,
    );
    expect(unknown.textContent).toBe('harvard=false platform=true');
  });

  it("follows the page's Member as a single-page app moves from a HarvardX course to an MITx one", () => {
    const consent = acceptedAll();
    const at = (member: string | null) => (
      <ConsentProvider consent={consent} member={member}>
        <Gates />
      </ConsentProvider>
    );
    const container = render(at('HarvardX'));
    expect(container.textContent).toBe('harvard=true platform=true');
    rerender(at('MITx'));
    expect(container.textContent).toBe('harvard=false platform=true');
    rerender(at('HarvardX'));
    expect(container.textContent).toBe('harvard=true platform=true');
  });

  it("answers for the new Member in the very render where the app moves on: no effect of that commit sees the previous Member's scope", () => {
    const consent = acceptedAll();
    const seen: string[] = [];
    // The course page's component that loads HarvardX's statistics when allowed, in its effects, as a
    // tracker's loader does: what it saw in each render and effect, by the page's Member.
    function Course({ page }: { page: string }) {
      const harvard = String(useTracker(harvardStats));
      seen.push(`render on ${page}: harvard=${harvard}`);
      useLayoutEffect(() => void seen.push(`layout effect on ${page}: harvard=${harvard}`));
      useEffect(() => void seen.push(`effect on ${page}: harvard=${harvard}`));
      return null;
    }
    const at = (member: string) => (
      <ConsentProvider consent={consent} member={member}>
        <Course page={member} />
      </ConsentProvider>
    );
    render(at('HarvardX'));
    expect(seen.at(-1)).toBe('effect on HarvardX: harvard=true');
    seen.length = 0;
    rerender(at('MITx'));
    expect(seen).toEqual([
      'render on MITx: harvard=false',
      'layout effect on MITx: harvard=false',
      'effect on MITx: harvard=false',
    ]);
  });
});

describe('useTracker refuses what the hub refuses: a third party or a Member in a required purpose', () => {
  /** Renders `tracker`'s answer on the server and, after all was accepted, in the browser. */
  const answers = (tracker: TrackerLike) => {
    function Gate() {
      return <p>{String(useTracker(tracker))}</p>;
    }
    const server = renderToString(
      <ConsentProvider options={{ policy: edxPolicy }} member="HarvardX">
        <Gate />
      </ConsentProvider>,
    );
    const client = render(
      <ConsentProvider consent={acceptedAll()} member="HarvardX">
        <Gate />
      </ConsentProvider>,
    ).textContent;
    unmount();
    return [server, client];
  };

  it("is false for a Member's tracker in `necessary`, before any decision (server HTML) and after", () => {
    expect(answers({ owner: 'HarvardX', party: 'third', purposes: ['necessary'] })).toEqual(['<p>false</p>', 'false']);
    expect(answers({ owner: 'HarvardX', party: 'first', purposes: ['necessary', 'analytics'] })).toEqual([
      '<p>false</p>',
      'false',
    ]);
  });

  it("is false for a third party's platform tracker in `necessary`, true for the platform's own", () => {
    expect(answers({ owner: 'platform', party: 'third', purposes: ['necessary'] })).toEqual(['<p>false</p>', 'false']);
    expect(answers({ owner: 'platform', party: 'first', purposes: ['necessary'] })).toEqual(['<p>true</p>', 'true']);
  });
});
