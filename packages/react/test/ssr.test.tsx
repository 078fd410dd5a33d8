// @vitest-environment node
import { createConsent, edxPolicy } from '@optin/consent';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConsentBanner, ConsentProvider, useConsent } from '../src/index.js';

function Status() {
  const { store, needsPrompt, grants } = useConsent();
  return <p>{`store=${store ? 'yes' : 'no'} prompt=${needsPrompt} ${JSON.stringify(grants.purposes)}`}</p>;
}

describe('@optin/react on a server', () => {
  it('renders without a DOM: the "no store yet" state, required purposes only, no banner markup', () => {
    expect(typeof window).toBe('undefined');
    const fromOptions = renderToString(
      <ConsentProvider options={{ policy: edxPolicy }}>
        <Status />
        <ConsentBanner />
      </ConsentProvider>,
    );
    expect(fromOptions).toBe(
      '<p>store=no prompt=false {&quot;necessary&quot;:true,&quot;analytics&quot;:false,&quot;performance&quot;:false,&quot;functionality&quot;:false,&quot;marketing&quot;:false}</p>',
    );
    // Naming the learner changes nothing of the server HTML.
    expect(
      renderToString(
        <ConsentProvider options={{ policy: edxPolicy }} learner="ada">
          <Status />
          <ConsentBanner />
        </ConsentProvider>,
      ),
    ).toBe(fromOptions);
    // A store given on the server renders the same, so the client's hydration matches whatever it finds.
    const consent = createConsent({ policy: edxPolicy, storage: 'memory' });
    consent.acceptAll();
    const fromStore = renderToString(
      <ConsentProvider consent={consent}>
        <Status />
      </ConsentProvider>,
    );
    expect(fromStore).toBe(fromOptions);
  });
});
