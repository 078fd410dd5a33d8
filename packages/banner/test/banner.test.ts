import { createConsent, definePolicy, edxPolicy, type ConsentStore } from '@optin/consent';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BannerError,
  defineBanner,
  mountBanner,
  pickLocale,
  purposeFingerprint,
  type BannerOptions,
  type Catalog,
} from '../src/index.js';
import { fill } from '../src/dom.js';
import { en, type Messages } from '../src/messages.js';
import { safeUrl } from '../src/safe-url.js';
import { ar } from '../src/locales/ar.js';
import { es } from '../src/locales/es.js';
import { fr } from '../src/locales/fr.js';
import { zh } from '../src/locales/zh.js';
import { declaration } from './fixtures/declaration.js';
import { shipped } from './fixtures/shipped-languages.js';

afterEach(() => {
  document.body.replaceChildren();
  document.documentElement.lang = '';
});

const store = () => createConsent({ policy: edxPolicy, storage: 'memory' });

/** Takes the banners out of the document, and waits until the next one would have taken over. */
async function clear() {
  document.body.replaceChildren();
  await new Promise((resolve) => setTimeout(resolve));
}

async function mount(options: Partial<BannerOptions> & { consent?: ConsentStore } = {}) {
  const banner = mountBanner({ consent: store(), ...options });
  await banner.ready;
  const root = banner.shadowRoot!;
  const button = (name: string) =>
    [...root.querySelectorAll('button')].find((b) => b.textContent === name) ?? null;
  return { banner, root, button, text: () => root.textContent };
}

describe('pickLocale', () => {
  it('takes the first candidate with a catalog, by exact code then base language, else English', () => {
    expect(pickLocale(['fr-CA', 'es'], ['es', 'fr'])).toBe('fr');
    expect(pickLocale(['de', 'zh-Hans-CN'], ['zh'])).toBe('zh');
    expect(pickLocale(['en-GB', 'fr'], ['fr'])).toBe('en');
    expect(pickLocale([null, '', 'pt-BR'], ['es'])).toBe('en');
  });

  it('matches a regional or script code in any case, and returns it as the catalogs spell it', () => {
    expect(pickLocale(['pt-BR'], ['pt-BR'])).toBe('pt-BR');
    expect(pickLocale(['pt-br'], ['pt-BR', 'pt'])).toBe('pt-BR');
    expect(pickLocale(['zh-Hant'], ['zh-Hant', 'es'])).toBe('zh-Hant');
    expect(pickLocale(['ZH-HANT'], ['es', 'zh-Hant'])).toBe('zh-Hant');
    // Ever shorter prefixes: a region under a script finds the script's catalog before the language's.
    expect(pickLocale(['zh-Hant-TW'], ['zh', 'zh-Hant'])).toBe('zh-Hant');
    expect(pickLocale(['zh-Hans-CN'], ['zh-Hant', 'zh'])).toBe('zh');
    expect(pickLocale(['FR-ca'], ['Fr'])).toBe('Fr');
  });

  it('falls back from a region to its base language, and from an unknown region to English', () => {
    expect(pickLocale(['pt-BR'], ['pt'])).toBe('pt');
    expect(pickLocale(['pt-PT', 'es'], ['pt-BR', 'es'])).toBe('es');
    expect(pickLocale(['pt-PT'], ['pt-BR'])).toBe('en');
  });

  it('reads "_" as "-" (the pt_BR of Open edX) on either side', () => {
    expect(pickLocale(['pt-BR'], ['pt_BR'])).toBe('pt_BR');
    expect(pickLocale(['pt_br'], ['es', 'pt-BR'])).toBe('pt-BR');
    expect(pickLocale(['pt_PT'], ['pt'])).toBe('pt');
    expect(pickLocale(['zh_TW'], ['zh'])).toBe('en');
  });

  it('never falls back from Traditional to Simplified Chinese: zh-Hant if there is one, else English', () => {
    for (const tag of ['zh-Hant-TW', 'zh-TW', 'zh-HK', 'zh-hant', 'zh-MO']) {
      expect(pickLocale([tag], ['zh', 'es'])).toBe('en');
      expect(pickLocale([tag], ['zh', 'zh-Hant'])).toBe('zh-Hant');
    }
    expect(pickLocale(['zh-TW', 'es'], ['zh', 'es'])).toBe('es');
    expect(pickLocale(['zh-Hans-TW'], ['zh'])).toBe('zh');
    expect(pickLocale(['zh-CN'], ['zh', 'zh-Hant'])).toBe('zh');
  });
});

describe('safeUrl', () => {
  it('keeps http(s) addresses only, a relative one resolved against the page', () => {
    expect(safeUrl('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(safeUrl('http://example.org')).toBe('http://example.org/');
    expect(document.baseURI).toBe('http://localhost:3000/');
    expect(safeUrl('/cookie-policy')).toBe('http://localhost:3000/cookie-policy');
    expect(safeUrl('legal/cookies.html#top')).toBe('http://localhost:3000/legal/cookies.html#top');
    expect(safeUrl('//www.edx.org/cookie-policy')).toBe('http://www.edx.org/cookie-policy');
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', '', null, undefined])
      expect(safeUrl(url), String(url)).toBe(null);
  });
});

describe('fill', () => {
  it('puts the values in as text: `$&` and `{name}` in them stay as they are', () => {
    expect(fill('On {name} courses', { name: '$& {name} $`' })).toBe('On $& {name} $` courses');
    expect(fill('{link}: {name}', { link: '{name}', name: '{link}' })).toBe('{name}: {link}');
  });
});

describe('<optin-banner>', () => {
  it('shows the first layer while undecided, and only a "Cookie settings" button once decided', async () => {
    const consent = store();
    const { banner, root, button } = await mount({ consent });
    expect(banner.layer).toBe('notice');
    // (Open modal: see the Chromium tests, where it is in the top layer.)
    expect(root.querySelector<HTMLDialogElement>('[role=dialog]')?.open).toBe(true);
    button('Reject all')!.click();
    expect(consent.decision?.purposes).toMatchObject({ analytics: false, marketing: false });
    expect(banner.layer).toBe(null);
    expect(root.querySelector('[role=dialog]')).toBe(null);
    expect(button('Cookie settings')).not.toBe(null);

    await clear();
    const again = await mount({ consent });
    expect(again.banner.layer).toBe(null);
    expect(again.button('Cookie settings')).not.toBe(null);
  });

  it('names Global Privacy Control for a store of an earlier @optin/consent, whose privacySignal is true', async () => {
    const real = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    // What @optin/consent before `'gpc' | 'dnt' | false` gave: a boolean.
    const earlier = new Proxy(real, { get: (t, k) => (k === 'privacySignal' ? true : Reflect.get(t, k)) as unknown });
    const { banner, text } = await mount({ consent: earlier });
    await banner.open('preferences');
    expect(text()).toContain(en.gpc);
  });

  it('shows one banner per document: a second one mounted shows nothing while the first is up, and takes over when it goes if still needed', async () => {
    const consent = store();
    const dialogs = () =>
      [...document.querySelectorAll('optin-banner')].flatMap((b) => [...b.shadowRoot!.querySelectorAll('[role=dialog]')]);
    const buttons = () =>
      [...document.querySelectorAll('optin-banner')].flatMap((b) =>
        [...b.shadowRoot!.querySelectorAll('button')].map((x) => x.textContent),
      );
    // Two micro-frontends, each with its banner, on a first visit: one modal notice, not two.
    const first = await mount({ consent });
    const second = await mount({ consent });
    expect([first.banner.layer, second.banner.layer]).toEqual(['notice', null]);
    expect(dialogs()).toHaveLength(1);
    expect(second.root.querySelectorAll('div > *')).toHaveLength(0); // (its empty box only)
    // A decision elsewhere, then a reset: still one.
    consent.acceptAll('api');
    expect(buttons()).toEqual(['Cookie settings']);
    consent.reset();
    expect([first.banner.layer, second.banner.layer]).toEqual(['notice', null]);
    expect(dialogs()).toHaveLength(1);

    // The first goes (its micro-frontend unmounts) while the learner has not decided: the other asks.
    first.banner.remove();
    await new Promise((resolve) => setTimeout(resolve));
    expect(second.banner.layer).toBe('notice');
    expect(dialogs()).toHaveLength(1);
    // A third one waits its turn; after a decision, the one left up shows only its settings button.
    const third = await mount({ consent });
    expect(third.banner.layer).toBe(null);
    second.button('Reject all')!.click();
    expect(buttons()).toEqual(['Cookie settings']);
    second.banner.remove();
    await new Promise((resolve) => setTimeout(resolve));
    expect([third.banner.layer, buttons()]).toEqual([null, ['Cookie settings']]);
  });

  it('a banner the page opens (its footer link) is the one shown: the other one closes', async () => {
    const consent = store();
    const first = await mount({ consent });
    const second = await mount({ consent, member: { id: 'MITx', name: 'MIT' } });
    await second.banner.open('preferences');
    expect([first.banner.layer, second.banner.layer]).toEqual([null, 'preferences']);
    expect(first.root.querySelectorAll('div > *')).toHaveLength(0); // (its empty box only)
    expect(second.text()).toContain('On MIT courses');
    second.button('Reject all')!.click();
    expect([first.banner.layer, second.banner.layer]).toEqual([null, null]);
    expect(first.button('Cookie settings')).toBe(null);
    expect(second.button('Cookie settings')).not.toBe(null);
    // The first one, opened in turn, takes over again.
    await first.banner.open('preferences');
    expect([first.banner.layer, second.banner.layer]).toEqual(['preferences', null]);
    expect(second.root.querySelectorAll('div > *')).toHaveLength(0); // (its empty box only)
  });

  it('keeps its turn when the page moves it in the document', async () => {
    const consent = store();
    const first = await mount({ consent });
    const second = await mount({ consent });
    document.body.append(first.banner); // moved: disconnected, then connected again at once
    await Promise.resolve();
    await first.banner.ready;
    expect([first.banner.layer, second.banner.layer]).toEqual(['notice', null]);
  });

  it('opens the layer asked for before the page set the store, once it is set (no TypeError)', async () => {
    defineBanner();
    const banner = document.body.appendChild(document.createElement('optin-banner'));
    await banner.open('preferences'); // a footer "Cookie settings" link used early
    expect(banner.layer).toBe(null);
    const consent = store();
    consent.acceptAll();
    banner.consent = consent;
    await banner.ready;
    expect(banner.layer).toBe('preferences');
    expect(banner.shadowRoot?.textContent).toContain('Save choices');
  });

  it('can leave out the floating settings button (for a link of the page calling open())', async () => {
    const consent = store();
    consent.acceptAll();
    const { banner, button } = await mount({ consent, settingsButton: false });
    expect(button('Cookie settings')).toBe(null);
    await banner.open('preferences');
    expect(button('Save choices')).not.toBe(null);
  });

  it('follows decisions made elsewhere: a reset asks again, a decision closes the notice', async () => {
    const consent = store();
    const { banner } = await mount({ consent });
    consent.acceptAll('api');
    expect(banner.layer).toBe(null);
    consent.reset();
    expect(banner.layer).toBe('notice');
  });

  it('shows in open preferences a choice made meanwhile elsewhere, so that saving does not undo it', async () => {
    const consent = store();
    consent.acceptAll();
    const { banner, root, button } = await mount({ consent, member: { id: 'MITx', name: 'MIT' } });
    await banner.open('preferences');
    // Another tab (or the page) withdraws analytics, and marketing on MIT courses, while they are open.
    consent.withdraw('analytics');
    consent.withdraw('marketing', 'MITx');
    expect(banner.layer).toBe('preferences');
    const switches = [...root.querySelectorAll<HTMLInputElement>('input[role=switch]')];
    expect(switches.map((s) => s.checked)).toEqual([true, false, true, true, true, false, true, true, false]);
    button('Save choices')!.click();
    expect(consent.allows('analytics')).toBe(false);
    expect(consent.allows('marketing', 'MITx')).toBe(false);
  });

  it('keeps the focus on the control the learner was on when a choice made elsewhere redraws open preferences', async () => {
    const consent = store();
    consent.acceptAll();
    const { banner, root } = await mount({ consent });
    await banner.open('preferences');
    const switches = () => [...root.querySelectorAll<HTMLInputElement>('input[role=switch]')];
    switches()[3]!.focus(); // functionality, tabbed to with the keyboard
    expect(root.activeElement).toBe(switches()[3]);
    consent.withdraw('analytics'); // another tab, or the page
    expect(switches()[1]!.checked).toBe(false);
    // Not sent back to the top of the dialog: still on the same switch, redrawn.
    expect(root.activeElement).toBe(switches()[3]);
  });

  it('reads purpose switches and saves them as the learner set them', async () => {
    const consent = store();
    const { root, button } = await mount({ consent });
    button('Preferences')!.click();
    await Promise.resolve();
    const switches = [...root.querySelectorAll<HTMLInputElement>('input[role=switch]')];
    expect(switches.map((s) => [s.checked, s.disabled])).toEqual([
      [true, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
    switches[2]!.checked = true; // performance
    button('Save choices')!.click();
    expect(consent.decision).toMatchObject({
      source: 'preferences',
      purposes: { necessary: true, analytics: false, performance: true, functionality: false, marketing: false },
    });
  });

  it('saves only the switches the learner changed as their choice: under opt-out, defaults left on stay implied, and an opt-in page asks again', async () => {
    // One storage shared by an opt-out page and, later, an opt-in page of the same learner.
    let kept: string[] = [];
    const storage = {
      kind: 'shared',
      read: () => kept,
      write: (value: string) => Boolean((kept = [value])),
      clear: () => void (kept = []),
    };
    const optOut = createConsent({ policy: edxPolicy, mode: 'opt-out', storage });
    const { root, button } = await mount({ consent: optOut });
    button('Preferences')!.click();
    await Promise.resolve();
    const switches = [...root.querySelectorAll<HTMLInputElement>('input[role=switch]')];
    expect(switches.map((s) => s.checked)).toEqual([true, true, true, true, true]); // opt-out's defaults
    switches[4]!.click(); // marketing off: the one thing the learner chose
    button('Save choices')!.click();
    expect(optOut.decision).toMatchObject({ purposes: { analytics: true, marketing: false }, implied: true });
    expect(optOut.allows('analytics')).toBe(true);

    const optIn = createConsent({ policy: edxPolicy, storage });
    expect(optIn.needsPrompt).toBe(true);
    expect([optIn.allows('analytics'), optIn.allows('performance'), optIn.allows('marketing')]).toEqual([false, false, false]);
  });

  it('says when Global Privacy Control keeps a purpose off, and lets the learner turn it on', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    const { banner, root, button } = await mount({ consent });
    button('Accept all')!.click();
    expect(consent.allows('marketing')).toBe(false);
    await banner.open('preferences');
    const marketing = [...root.querySelectorAll<HTMLInputElement>('input')].at(-1)!;
    expect(marketing.checked).toBe(false);
    expect(root.getElementById(marketing.getAttribute('aria-describedby')!)?.textContent).toContain(en.gpc);
    marketing.checked = true;
    button('Save choices')!.click();
    expect(consent.allows('marketing')).toBe(true);
  });

  it('under Global Privacy Control, "Accept all" in the preferences grants what the learner turned on there, and only that', async () => {
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    const { banner, root, button } = await mount({ consent });
    const marketing = () => [...root.querySelectorAll<HTMLInputElement>('input')].at(-1)!;
    await banner.open('preferences');
    button('Accept all')!.click(); // switch left off: GPC's refusal stands
    expect([consent.allows('analytics'), consent.allows('marketing')]).toEqual([true, false]);
    await banner.open('preferences');
    marketing().click(); // turned on here
    button('Accept all')!.click();
    expect(consent.decision).toMatchObject({
      source: 'preferences',
      gpc: true,
      purposes: { analytics: true, marketing: true },
    });
    expect(consent.allows('marketing')).toBe(true);
    // Granted explicitly, it stays granted by a later "Accept all", on either layer.
    await banner.open('notice');
    button('Accept all')!.click();
    expect(consent.allows('marketing')).toBe(true);
  });

  it('tells on the first layer that a privacy signal keeps marketing off, "Accept all" included, in every language, naming it as the preferences do', async () => {
    const notice = (root: ShadowRoot) => root.getElementById('d')?.textContent ?? '';
    for (const [lang, catalog] of shipped) {
      const messages = { ...en, ...catalog?.messages };
      const signal = fill(messages.signal, { purposes: catalog?.purposes?.edx?.marketing?.[0] ?? 'Marketing' });
      const locales = catalog ? { [lang]: () => Promise.resolve(catalog) } : {};
      // Global Privacy Control (as a server passes on Sec-GPC), or Do Not Track where the store honours it.
      for (const signals of [{ gpc: true }, { dnt: '1' }]) {
        const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals });
        const { root, button } = await mount({ consent, locale: lang, locales });
        expect(notice(root), `${lang} ${JSON.stringify(signals)}`).toContain(signal);
        // True whatever the buttons are called: it quotes none.
        expect(signal, lang).not.toContain(messages.acceptAll);
        expect(signal, lang).not.toContain(messages.preferences);
        button(messages.acceptAll)!.click();
        expect(consent.allows('marketing'), lang).toBe(false); // as it said
        await clear();
      }
      // No signal: nothing to tell.
      const { root } = await mount({ locale: lang, locales });
      expect(notice(root), lang).toBe(messages.notice);
      await clear();
    }
    // Nothing it refuses stays off: marketing granted under GPC (the page reopens the notice), or a
    // policy with no purpose GPC refuses.
    const granted = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    granted.decide({ purposes: { marketing: true } });
    const reopened = await mount({ consent: granted });
    await reopened.banner.open('notice');
    expect(notice(reopened.root)).toBe(en.notice);
    await clear();
    const other = definePolicy({
      id: 'acme',
      version: '1',
      purposes: [{ id: 'ads', label: 'Ads', description: 'Ads on this site.' }],
    });
    const unrefused = await mount({
      consent: createConsent({ policy: other, storage: 'memory', signals: { gpc: true } }),
    });
    expect(unrefused.banner.layer).toBe('notice');
    expect(notice(unrefused.root)).toBe(en.notice);
  });

  it("names in the first layer's privacy-signal note the purposes the signal refuses, by their labels, whatever the policy and the buttons' names", async () => {
    const policy = definePolicy({
      id: 'acme',
      version: '1',
      purposes: [
        { id: 'essential', label: 'Essential', description: 'Runs the site.', required: true },
        { id: 'stats', label: 'Statistics', description: 'How the site is used.' },
        { id: 'ads', label: 'Personalised ads', description: 'Ads chosen for you.', gpc: true },
        { id: 'partners', label: 'Partner offers', description: 'Offers of our partners.', gpc: true },
      ],
    });
    const consent = createConsent({ policy, storage: 'memory', signals: { gpc: true } });
    const { root, button } = await mount({
      consent,
      messages: { acceptAll: 'Allow everything', preferences: 'Let me choose' },
    });
    const note = root.getElementById('d')!.textContent.replace(en.notice, '');
    expect(note).toContain(fill(en.signal, { purposes: 'Personalised ads and Partner offers' }));
    // Not edX's purpose, nor one the signal leaves alone, nor the default buttons' names.
    expect(note).not.toMatch(/marketing|statistics/i);
    expect(note).not.toMatch(/Accept all|Preferences/);
    button('Allow everything')!.click();
    expect([consent.allows('stats'), consent.allows('ads'), consent.allows('partners')]).toEqual([true, false, false]);
  });

  it("says in the preferences that cookies can also be controlled in the browser, and that third parties' own opt-outs are theirs, in every language", async () => {
    for (const [lang, catalog] of shipped) {
      const messages = { ...en, ...catalog?.messages };
      const locales = catalog ? { [lang]: () => Promise.resolve(catalog) } : {};
      const { banner, root } = await mount({ locale: lang, locales, declaration });
      await banner.open('preferences');
      // With the introduction, which the dialog is described by.
      expect(root.getElementById('d')?.textContent, lang).toContain(messages.browser);
      // Under the heading of the third parties, before their links.
      const thirdParties = root.querySelector('section')!;
      expect(thirdParties.querySelector('h3 + p')?.textContent, lang).toBe(messages.optOuts);
      expect(thirdParties.querySelectorAll('li a').length, lang).toBeGreaterThan(0);
      // The first layer says neither: the policy's options are in the preferences.
      await banner.open('notice');
      expect(root.textContent, lang).not.toContain(messages.browser);
      await clear();
    }
  });

  it("says that third parties' opt-outs are theirs only where one is listed: not for vendors without one, nor for tracked emails", async () => {
    // The policy's word: "Neither edX nor any Member is responsible for the effectiveness of any
    // third-party opt-out options".
    expect(en.optOuts).toContain('neither we nor any Member is responsible');
    const member = { id: 'HarvardX', name: 'HarvardX' };
    const email = [{ owner: 'HarvardX', ownerName: 'Harvard University', purposes: ['analytics'] }];
    const hotjar = (optOutUrl: string | null) => ({
      id: 'HarvardX/hotjar',
      owner: 'HarvardX',
      ownerName: 'Harvard University',
      purposes: ['analytics'],
      vendor: { name: 'Hotjar', privacyUrl: 'https://www.hotjar.com/legal/policies/privacy/', optOutUrl },
    });
    for (const [trackers, said] of [
      [[], false], // only the Member's tracked emails
      [[hotjar(null)], false],
      [[hotjar('javascript:alert(1)')], false], // no link is shown for it
      [[hotjar('https://www.hotjar.com/policies/do-not-track/')], true],
    ] as const) {
      const { banner, root } = await mount({ declaration: { trackers, email }, member });
      await banner.open('preferences');
      const thirdParties = root.querySelector('section')!;
      expect(thirdParties.textContent).toContain(en.email);
      expect(thirdParties.textContent.includes(en.optOuts), JSON.stringify(trackers)).toBe(said);
      expect(thirdParties.querySelectorAll('a[href*="do-not-track"]').length).toBe(said ? 1 : 0);
      await clear();
    }
  });

  it("does not disown a first-party tracker's opt-out: the site's own link alone brings no disclaimer", async () => {
    const own = (party: 'first' | 'third' | undefined, optOutUrl: string | null) => ({
      id: `own-${String(party)}-${String(optOutUrl)}`,
      owner: 'platform',
      ownerName: 'edX',
      purposes: ['analytics'],
      ...(party && { party }),
      vendor: { name: `edX analytics ${String(party)}`, privacyUrl: 'https://www.edx.org/privacy', optOutUrl },
    });
    const optOut = 'https://www.edx.org/opt-out';
    for (const [trackers, said] of [
      [[own('first', optOut)], false], // run by edX: its opt-out is edX's own
      [[own('first', optOut), own('third', null)], false], // the third party links none
      [[own('first', optOut), own('third', optOut)], true],
      [[own('third', optOut)], true],
      // Listed as a third party without saying which (a hand-made list): one, as before.
      [[own(undefined, optOut)], true],
    ] as const) {
      const { banner, root } = await mount({ declaration: { trackers } });
      await banner.open('preferences');
      const thirdParties = root.querySelector('section')!;
      expect(thirdParties.textContent.includes(en.optOuts), JSON.stringify(trackers)).toBe(said);
      // The first-party link itself is still listed.
      expect(thirdParties.querySelectorAll(`a[href="${optOut}"]`).length).toBeGreaterThan(0);
      await clear();
    }
  });

  it('"Accept all" on a Member\'s course page is one decision that lifts the Member\'s refusals too, on either layer', async () => {
    for (const layer of ['notice', 'preferences'] as const) {
      const consent = store();
      consent.decide({
        purposes: { analytics: true, marketing: false },
        members: { MITx: { analytics: false, marketing: false } },
      });
      let heard = 0;
      consent.subscribe(() => heard++);
      const { banner, button } = await mount({ consent, member: { id: 'MITx', name: 'MIT' } });
      await banner.open(layer);
      button('Accept all')!.click();
      expect(heard, layer).toBe(1); // one decision: one receipt, one broadcast
      expect(consent.decision, layer).toMatchObject({
        source: layer === 'notice' ? 'banner' : 'preferences',
        purposes: { analytics: true, performance: true, functionality: true, marketing: true },
        members: { MITx: { analytics: true, marketing: true } },
      });
      expect([consent.allows('analytics', 'MITx'), consent.allows('marketing', 'MITx')], layer).toEqual([true, true]);
      await clear();
    }
  });

  it('shows a per-Member switch for every purpose when no declaration says which its trackers serve', async () => {
    const consent = store();
    const { banner, root } = await mount({ consent, member: { id: 'MITx', name: 'MIT' } });
    await banner.open('preferences');
    const section = [...root.querySelectorAll('fieldset')].find((f) => f.textContent.includes('On MIT courses'))!;
    expect(section.querySelectorAll('input').length).toBe(4);
  });

  it('shows a per-Member switch off when its purpose is refused site-wide, and saves as before', async () => {
    const consent = store();
    consent.rejectAll();
    consent.decide({ members: { MITx: { performance: false } } });
    const { banner, root, button } = await mount({ consent, member: { id: 'MITx', name: 'MIT' } });
    await banner.open('preferences');
    const section = () => [...root.querySelectorAll('fieldset')].find((f) => f.textContent.includes('On MIT courses'))!;
    const member = () => [...section().querySelectorAll<HTMLInputElement>('input')];
    const site = () => [...root.querySelectorAll<HTMLInputElement>('input')].filter((s) => !section().contains(s));
    // After "Reject all" nothing applies on MIT courses either: off, and locked while off site-wide.
    expect(member().map((s) => [s.checked, s.disabled])).toEqual(Array(4).fill([false, true]));
    // Turning purposes on site-wide shows the Member's own choices again: performance stays off.
    for (const s of site().filter((s) => !s.disabled)) s.click();
    expect(member().map((s) => [s.checked, s.disabled])).toEqual([
      [true, false],
      [false, false],
      [true, false],
      [true, false],
    ]);
    member()[0]!.click(); // analytics off on MIT courses only
    button('Save choices')!.click();
    expect([consent.allows('analytics'), consent.allows('analytics', 'MITx')]).toEqual([true, false]);
    expect([consent.allows('performance'), consent.allows('performance', 'MITx')]).toEqual([true, false]);
    expect(consent.allows('marketing', 'MITx')).toBe(true);

    await banner.open('preferences');
    expect(member().map((s) => s.checked)).toEqual([false, false, true, true]);
    member()[1]!.click(); // performance back on for MIT
    button('Save choices')!.click();
    expect(consent.allows('performance', 'MITx')).toBe(true);
    expect(consent.allows('analytics', 'MITx')).toBe(false);
  });

  it("lists email tracking, and on a Member's course page gives the purpose governing its emails a switch", async () => {
    // As the demo's HarvardX: one marketing tracker on its pages, and its emails tracked (analytics).
    const linkedin = declaration.trackers.find((t) => t.id === 'HarvardX/linkedin')!;
    const consent = store();
    const { banner, root, button } = await mount({
      consent,
      member: { id: 'HarvardX', name: 'Harvard University' },
      declaration: {
        trackers: [linkedin],
        email: [
          { owner: 'platform', ownerName: 'edX', purposes: ['analytics'] },
          { owner: 'HarvardX', ownerName: 'Harvard University', purposes: ['analytics'] },
        ],
      },
    });
    await banner.open('preferences');
    expect([...root.querySelectorAll('section li')].map((li) => li.textContent.trim())).toEqual([
      'LinkedIn Insight Tag (Harvard University: Marketing) Privacy policyOpt out',
      'Email opens and clicks (edX: Analytics)',
      'Email opens and clicks (Harvard University: Analytics)',
    ]);
    const section = [...root.querySelectorAll('fieldset')].find((f) => f.textContent.includes('On Harvard University courses'))!;
    expect([...section.querySelectorAll('label')].map((l) => l.textContent)).toEqual(['Analytics', 'Marketing']);
    expect(section.querySelector('p[id]')?.textContent).toBe('Email opens and clicks');
    // Analytics on, but not for Harvard's emails: the refusal the collector reads for them.
    const site = [...root.querySelectorAll<HTMLInputElement>('input')].filter((s) => !section.contains(s));
    site.find((s) => s.closest('label')?.textContent === 'Analytics')!.click();
    section.querySelector<HTMLInputElement>('input')!.click();
    button('Save choices')!.click();
    expect([consent.allows('analytics'), consent.allows('analytics', 'HarvardX')]).toEqual([true, false]);
  });

  it('falls back to English for missing keys, a failing catalog, and purposes of another policy', async () => {
    const partial: Catalog = {
      messages: { rejectAll: 'Tout refuser' },
      purposes: { edx: { analytics: ['Audience', 'x', purposeFingerprint(edxPolicy.purposes[1]!)] } },
    };
    document.documentElement.lang = 'fr';
    const fr = await mount({ locales: { fr: () => Promise.resolve(partial) } });
    expect(fr.button('Tout refuser')).not.toBe(null);
    expect(fr.button('Accept all')).not.toBe(null);
    expect(fr.root.querySelector('[lang]')?.getAttribute('lang')).toBe('fr');
    await fr.banner.open('preferences');
    expect(fr.text()).toContain('Audience');

    const other = definePolicy({
      id: 'acme',
      version: '1',
      purposes: [{ id: 'analytics', label: 'Usage', description: 'How the site is used.' }],
    });
    const acme = await mount({ consent: createConsent({ policy: other, storage: 'memory' }), locales: { fr: () => Promise.resolve(partial) } });
    await acme.banner.open('preferences');
    expect(acme.text()).toContain('Usage');
    expect(acme.text()).not.toContain('Audience');

    await clear();
    const broken = await mount({ locales: { fr: () => Promise.reject(new Error('offline')) } });
    expect(broken.button('Reject all')).not.toBe(null);
    // English text is labelled English, not French.
    expect(broken.root.querySelector('[lang]')?.getAttribute('lang')).toBe('en');
    await broken.banner.open('preferences');
    expect(broken.root.querySelector('[lang]')?.getAttribute('lang')).toBe('en');
  });

  it('marks policy text shown untranslated with the policy language, so screen readers read it in that language', async () => {
    // edX's purposes plus one of the platform's own that no catalog translates, in the usage group
    // and refused by GPC; the banner in French.
    const policy = definePolicy({
      ...structuredClone(edxPolicy),
      purposes: [
        ...structuredClone(edxPolicy.purposes),
        { id: 'research', label: 'Research', description: 'Learning-science research on course use.', group: 'usage', gpc: true },
      ],
    });
    const langOf = (root: Node, text: string) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode())
        if (node.nodeValue?.includes(text)) return node.parentElement?.closest('[lang]')?.getAttribute('lang');
      throw new Error(`"${text}" is not shown`);
    };
    const consent = createConsent({ policy, storage: 'memory', signals: { gpc: true } });
    const research = { id: 'research-lab', owner: 'MITx', ownerName: 'MIT', purposes: ['analytics', 'research'] };
    const { banner, root } = await mount({
      consent,
      locale: 'fr',
      locales: { fr: () => Promise.resolve(fr) },
      member: { id: 'MITx', name: 'MIT' },
      declaration: { trackers: [{ ...research, vendor: { name: 'Lab', privacyUrl: 'https://lab.example/privacy' } }] },
    });
    await banner.open('preferences');
    const [analytics] = fr.purposes!.edx!.analytics!;
    expect(langOf(root, analytics)).toBe('fr');
    // The policy's own text, wherever it shows: its switch, its description, the group's heading,
    // the Member's switch and the list of third parties; French around it stays French.
    const labels = [...root.querySelectorAll('label')].filter((l) => l.textContent.includes('Research'));
    expect(labels).toHaveLength(2);
    for (const label of labels) expect(langOf(label, 'Research')).toBe('en');
    for (const label of labels) expect(label.querySelector('[lang]')?.textContent).toBe('Research');
    expect(langOf(root, 'Learning-science research')).toBe('en');
    expect(langOf(root, fr.messages.gpc!)).toBe('fr');
    const legend = root.querySelector('legend')!;
    expect(legend.textContent).toContain(`${analytics}, `);
    expect([...legend.querySelectorAll('[lang]')].map((x) => [x.getAttribute('lang'), x.textContent])).toEqual([
      ['en', 'Research'],
    ]);
    const listed = root.querySelector('li')!;
    expect([...listed.querySelectorAll('[lang]')].map((x) => [x.getAttribute('lang'), x.textContent])).toEqual([
      ['en', 'Research'],
    ]);

    // A policy written in French, shown in French: nothing to mark; shown in English (no catalog): marked French.
    const french = definePolicy({ ...structuredClone(policy), lang: 'fr' });
    const same = await mount({ consent: createConsent({ policy: french, storage: 'memory' }), locale: 'fr', locales: { fr: () => Promise.resolve(fr) } });
    await same.banner.open('preferences');
    expect([...same.root.querySelectorAll('[lang]')].map((x) => x.getAttribute('lang'))).toEqual(['fr']);
    const english = await mount({ consent: createConsent({ policy: french, storage: 'memory' }) });
    await english.banner.open('preferences');
    expect(langOf(english.root, 'Research')).toBe('fr');
    expect(langOf(english.root, 'Strictly necessary')).toBe('fr');
    expect(langOf(english.root, en.prefsTitle)).toBe('en');
  });

  it("marks a purpose the first layer's privacy-signal note names untranslated with the policy language, as the preferences do", async () => {
    // edX's purposes plus one of the platform's own, refused by GPC, that no catalog translates.
    const policy = definePolicy({
      ...structuredClone(edxPolicy),
      purposes: [
        ...structuredClone(edxPolicy.purposes),
        { id: 'research', label: 'Research', description: 'Learning-science research on course use.', gpc: true },
      ],
    });
    const marks = (root: ShadowRoot) =>
      [...root.getElementById('d')!.querySelectorAll('[lang]')].map((x) => [x.getAttribute('lang'), x.textContent]);
    const signalled = async (shown: typeof policy, options: Partial<BannerOptions> = {}) => {
      const consent = createConsent({ policy: shown, storage: 'memory', signals: { gpc: true } });
      const { banner, root } = await mount({ ...options, consent });
      expect(banner.layer).toBe('notice');
      return root;
    };
    const french = { locale: 'fr', locales: { fr: () => Promise.resolve(fr) } };
    const [marketing] = fr.purposes!.edx!.marketing!;
    // In French: the French label as the note's, "Research" marked English (it is, in the preferences).
    const root = await signalled(policy, french);
    expect(root.getElementById('d')?.textContent).toContain(
      fill(fr.messages.signal!, { purposes: `${marketing} et Research` }),
    );
    expect(marks(root)).toEqual([['en', 'Research']]);
    await clear();
    // A policy written in French, shown in English (no catalog): its labels marked French.
    const inFrench = definePolicy({ ...structuredClone(policy), lang: 'fr' });
    const english = await signalled(inFrench);
    expect(marks(english)).toEqual([
      ['fr', 'Marketing'],
      ['fr', 'Research'],
    ]);
    await clear();
    // Shown in French: nothing to mark.
    const same = await signalled(inFrench, french);
    expect(marks(same)).toEqual([]);
  });

  it('shows a translation only for the text it translates: after the policy edits a purpose, its own text, marked, and a warning naming the catalog entry', async () => {
    const warnings: unknown[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((w: unknown) => void warnings.push(w));
    try {
      // The platform rewords analytics (the French catalog translates the old text), and
      // performance's label; marketing is unchanged.
      const edited = definePolicy({
        ...structuredClone(edxPolicy),
        purposes: edxPolicy.purposes.map((p) =>
          p.id === 'analytics'
            ? { ...p, description: `${p.description} And the videos watched, to the second.` }
            : p.id === 'performance'
              ? { ...p, label: 'Speed' }
              : { ...p },
        ),
      });
      const consent = createConsent({ policy: edited, storage: 'memory' });
      const { banner, root, text } = await mount({ consent, locale: 'fr', locales: { fr: () => Promise.resolve(fr) } });
      await banner.open('preferences');
      const shown = text();
      const [frAnalytics, frAnalyticsText] = fr.purposes!.edx!.analytics!;
      const [frMarketing, frMarketingText] = fr.purposes!.edx!.marketing!;
      expect(shown).not.toContain(frAnalyticsText);
      expect(shown).toContain('And the videos watched, to the second.');
      expect(shown).toContain('Speed');
      expect(shown).toContain(frMarketing);
      expect(shown).toContain(frMarketingText);
      // The policy's English, marked as English for screen readers, in the switch and the group's heading.
      const marked = [...root.querySelectorAll('[lang=en]')].map((x) => x.textContent);
      expect(marked).toEqual(expect.arrayContaining(['Analytics', edited.purposes[1]!.description, 'Speed']));
      expect(root.querySelector('legend')?.textContent).not.toContain(frAnalytics);
      // One warning per stale entry (the banner redraws often), naming it, and what to do.
      consent.acceptAll();
      await banner.open('preferences');
      expect(warnings).toHaveLength(2);
      expect(warnings.map((w) => [(w as BannerError).code, (w as BannerError).path])).toEqual([
        ['stale_translation', 'locales.fr.purposes.edx.analytics'],
        ['stale_translation', 'locales.fr.purposes.edx.performance'],
      ]);
      expect(warnings[0]).toBeInstanceOf(BannerError);
      expect(String(warnings[0])).toContain(purposeFingerprint(edited.purposes[1]!));

      // A translation without a fingerprint (the text it translates unknown) is not shown either.
      warnings.length = 0;
      await clear();
      const old = { messages: {}, purposes: { edx: { marketing: ['Pub', 'Publicité ciblée.'] } } } as unknown as Catalog;
      const unmarked = await mount({ locale: 'fr', locales: { fr: () => Promise.resolve(old) } });
      await unmarked.banner.open('preferences');
      expect(unmarked.text()).not.toContain('Publicité ciblée.');
      expect(unmarked.text()).toContain(edxPolicy.purposes[4]!.description);
      expect(warnings.map((w) => (w as BannerError).path)).toEqual(['locales.fr.purposes.edx.marketing']);
      // The warning says what the entry lacks, and the fingerprint to give it: never "undefined".
      const lacking = String(warnings[0]);
      expect(lacking).toContain('no fingerprint');
      expect(lacking).not.toContain('undefined');
      expect(lacking).toContain(purposeFingerprint(edxPolicy.purposes[4]!));
    } finally {
      warn.mockRestore();
    }
  });

  it('marks the English that stands in for messages a catalog lacks as English, and the rest as the language shown', async () => {
    // A catalog written before some messages existed (vendorLink, say), and one override of the page.
    const partial: Catalog = {
      messages: { title: 'Cookies et traceurs', rejectAll: 'Tout refuser', privacy: 'Confidentialité' },
    };
    const consent = createConsent({ policy: edxPolicy, storage: 'memory', signals: { gpc: true } });
    const { banner, root, button } = await mount({
      consent,
      locale: 'fr',
      locales: { fr: () => Promise.resolve(partial) },
      messages: { preferences: 'Préférences' },
      declaration,
      member: { id: 'HarvardX', name: 'Harvard University' },
    });
    const lang = (el: Element | null | undefined) => el?.closest('[lang]')?.getAttribute('lang');
    const inner = (el: Element | null) => lang(el?.querySelector('[lang]') ?? el);
    expect(lang(root.querySelector('h2'))).toBe('fr');
    expect(inner(root.querySelector('h2'))).toBe('fr');
    expect(inner(root.querySelector('#d'))).toBe('en'); // the notice
    expect(inner(button('Tout refuser'))).toBe('fr');
    expect(inner(button('Préférences'))).toBe('fr');
    expect(inner(button('Accept all'))).toBe('en');
    expect(button('Accept all')?.querySelector('[lang]')?.textContent).toBe('Accept all');
    await banner.open('preferences');
    expect(inner(button('Save choices'))).toBe('en');
    expect(inner(root.querySelector('h3'))).toBe('en');
    const gpc = [...root.querySelectorAll('p.d [lang]')].find((x) => x.textContent === en.gpc);
    expect(lang(gpc)).toBe('en');
    // A vendor's link: named in English ("Privacy policy" wording, vendorLink, missing), its French text marked French.
    const link = root.querySelector('a[aria-label^="Confidentialité: Segment"]');
    expect(link?.getAttribute('aria-label')).toBe('Confidentialité: Segment (opens in a new tab)');
    expect(link?.getAttribute('lang')).toBe('en');
    expect(link?.querySelector('[lang]')?.getAttribute('lang')).toBe('fr');

    // A complete catalog: nothing marked but the banner itself.
    const full = await mount({ locale: 'fr', locales: { fr: () => Promise.resolve(fr) }, declaration });
    await full.banner.open('preferences');
    expect([...full.root.querySelectorAll('[lang]')].map((x) => x.getAttribute('lang'))).toEqual(['fr']);
  });

  it('keeps the default of an option given as undefined', async () => {
    const consent = store();
    consent.rejectAll();
    // As plain JavaScript or code built without exactOptionalPropertyTypes may pass them.
    const unset = { settingsButton: undefined, locales: undefined } as unknown as Partial<BannerOptions>;
    const { button } = await mount({ consent, ...unset });
    expect(button('Cookie settings')).not.toBe(null);
    await clear();
    const undecided = await mount({ locale: 'fr', ...unset });
    expect(undecided.banner.layer).toBe('notice');
    expect(undecided.button('Accept all')).not.toBe(null);
  });

  it("gives each banner its own messages and locales: one changed in place changes no other banner's, nor a later one's", async () => {
    const first = await mount({ consent: store() });
    const de: Catalog = { messages: { acceptAll: 'Alle akzeptieren' } };
    first.banner.messages.acceptAll = 'Accept everything (this banner only)';
    (first.banner.locales as Record<string, () => Promise<Catalog>>).de = () => Promise.resolve(de);
    // Given undefined, a default again: its own too.
    first.banner.messages = undefined as unknown as Partial<Messages>;
    first.banner.messages.rejectAll = 'Reject everything (this banner only)';
    await clear();
    const later = await mount({ locale: 'de' });
    expect(later.button('Accept all')).not.toBe(null);
    expect(later.button('Reject all')).not.toBe(null);
    expect(later.root.querySelector('[lang]')?.getAttribute('lang')).toBe('en');
    expect(later.banner.messages).toEqual({});
    expect(later.banner.locales).toEqual({});
  });

  it('shows a regional catalog such as pt-BR for <html lang="pt-BR">', async () => {
    const ptBR: Catalog = { messages: { acceptAll: 'Aceitar tudo' } };
    document.documentElement.lang = 'pt-BR';
    const { button, root } = await mount({
      locales: { 'pt-BR': () => Promise.resolve(ptBR), es: () => Promise.resolve(es) },
    });
    expect(button('Aceitar tudo')).not.toBe(null);
    expect(root.querySelector('[lang]')?.getAttribute('lang')).toBe('pt-BR');
  });

  it('opens the preferences, and again after a decision, for a catalog keyed pt_BR (not a BCP 47 tag)', async () => {
    const ptBR: Catalog = { messages: { acceptAll: 'Aceitar tudo', preferences: 'Preferências' } };
    const consent = store();
    const { banner, root, button } = await mount({
      consent,
      locale: 'pt_BR',
      locales: { pt_BR: () => Promise.resolve(ptBR) },
    });
    expect(root.querySelector('[lang]')?.getAttribute('lang')).toBe('pt-BR');
    button('Preferências')!.click();
    await Promise.resolve();
    expect(banner.layer).toBe('preferences');
    // The grouped purposes' heading, listed the Portuguese way.
    expect(root.querySelector('legend')?.textContent).toBe('Analytics, Performance e Functionality');
    button('Save choices')!.click();
    expect(consent.decision?.source).toBe('preferences');
    button('Cookie settings')!.click();
    await Promise.resolve();
    expect(banner.layer).toBe('preferences');
    expect(root.querySelector('h2')?.textContent).toBe(en.prefsTitle);
  });

  it('lists with commas, and leaves the language unknown, for a catalog key that is no language tag', async () => {
    const { banner, root } = await mount({ locale: 'x!', locales: { 'x!': () => Promise.resolve({ messages: {} }) } });
    expect(root.querySelector('[lang]')?.getAttribute('lang')).toBe('');
    await banner.open('preferences');
    expect(root.querySelector('legend')?.textContent).toBe('Analytics, Performance, Functionality');
  });

  it('lets the page override messages in every language', async () => {
    const { button, text } = await mount({ messages: { title: 'Your privacy on edX' } });
    expect(text()).toContain('Your privacy on edX');
    expect(button('Accept all')).not.toBe(null);
  });

  it('ships catalogs with every message and every edX purpose translated, {name} and {link} kept', () => {
    for (const catalog of [es, fr, ar, zh]) {
      expect(Object.keys(catalog.messages).sort()).toEqual(Object.keys(en).sort());
      expect(Object.keys(catalog.purposes?.edx ?? {})).toEqual(edxPolicy.purposes.map((p) => p.id));
      // Each translates the policy's text as it is now: when edxPolicy changes, so must they.
      for (const p of edxPolicy.purposes) expect([p.id, catalog.purposes?.edx?.[p.id]?.[2]]).toEqual([p.id, purposeFingerprint(p)]);
      expect(catalog.messages.member).toContain('{name}');
      expect(catalog.messages.memberIntro).toContain('{name}');
      expect(catalog.messages.vendorLink).toMatch(/\{link\}.*\{name\}/);
    }
  });
});
