import type { ConsentStore, Purpose } from '@optin/consent';
import type { BannerDeclaration, BannerMember } from './declaration.js';
import { doc, fill, h, listed, marked } from './dom.js';
import { trapFocus } from './focus-trap.js';
import { languageTag, loadCatalog, pageLocale, type LocaleLoaders } from './locale.js';
import { en, type Catalog, type Messages } from './messages.js';
import { buildPreferences } from './preferences.js';
import { safeUrl } from './safe-url.js';
import { translations, type Translations } from './translations.js';
import { bannerSheet } from './styles.js';

/** The banner's layers: the first-layer notice, and the preferences. */
export type BannerLayer = 'notice' | 'preferences';

/** What a banner is configured with (the element's properties; see {@link mountBanner}). */
export interface BannerOptions {
  /** The consent store the banner reads and decides on. */
  consent: ConsentStore;
  /** The list of third parties (e.g. `registry.declaration({ member })` of `@optin/members`). */
  declaration?: BannerDeclaration | null;
  /** The Member whose course page this is: its section of per-Member switches is shown. */
  member?: BannerMember | null;
  /** Language to show; by default `<html lang>`, then the browser's languages. */
  locale?: string | null;
  /** Lazy catalogs other than English, e.g. `locales` from `@optin/banner/locales`. */
  locales?: LocaleLoaders;
  /** Overrides of messages (for every language). */
  messages?: Partial<Messages>;
  /**
   * Link to the cookie policy, shown in the notice and the preferences: http(s) only, a relative one
   * (`/cookie-policy`) resolved against the page's base URL.
   */
  policyUrl?: string | null;
  /** Show the floating "Cookie settings" button while closed (default `true`). */
  settingsButton?: boolean;
}

/** The `<optin-banner>` element. */
export interface OptinBannerElement extends HTMLElement, Required<BannerOptions> {
  /**
   * The consent store. The banner starts once the store is set and the element is connected, in
   * either order; on a server-rendered `<optin-banner>` it may even be set before `defineBanner()`.
   */
  consent: ConsentStore;
  /** Settles when the language is loaded and the banner is shown (after connection). */
  readonly ready: Promise<void>;
  /** The layer shown, or `null` when closed (only the settings button shows). */
  readonly layer: BannerLayer | null;
  /**
   * Opens a layer (the notice by default); focus returns where it was when it closes. Called before
   * the store is set (a server-rendered banner), it opens that layer as soon as the banner starts.
   */
  open(layer?: BannerLayer): Promise<void>;
  /** Closes the banner and returns focus where it was. */
  close(): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'optin-banner': OptinBannerElement;
  }
}

/** The options as the element keeps them: defaults filled in, the store once it is set. */
type Options = Omit<Required<BannerOptions>, 'consent'> & { consent?: ConsentStore };

/**
 * The defaults of the options other than the store: new ones each time, so that each banner has its
 * own `locales` and `messages` (one changed in place reaches no other banner; the texts are read when
 * the banner starts, so such a change shows once it starts again: assign a new object to apply one).
 */
const defaults = (): Omit<Options, 'consent'> => ({
  declaration: null,
  member: null,
  locale: null,
  locales: {},
  messages: {},
  policyUrl: null,
  settingsButton: true,
});

/** The options that are also the element's properties (see {@link BannerOptions}). */
const settable = ['consent', ...Object.keys(defaults())] as (keyof BannerOptions)[];

/**
 * Creates the `<optin-banner>` class. Called by `defineBanner()`, never at import, so that the
 * module is safe to import where `HTMLElement` does not exist (server rendering).
 */
export function createBannerClass(): new () => OptinBannerElement {
  // The document's banners that have started, in turn: only the first is shown, so that two
  // micro-frontends that each mount one show one modal banner, not two stacked. When it leaves the
  // document the next takes over (asking, if the learner has still not decided); one the page opens
  // (its "Cookie settings" link) takes the turn.
  const turns: OptinBanner[] = [];
  class OptinBanner extends HTMLElement implements OptinBannerElement {
    declare consent: ConsentStore;
    declare declaration: Options['declaration'];
    declare member: Options['member'];
    declare locale: Options['locale'];
    declare locales: Options['locales'];
    declare messages: Options['messages'];
    declare policyUrl: Options['policyUrl'];
    declare settingsButton: Options['settingsButton'];
    ready = Promise.resolve();
    layer: BannerLayer | null = null;

    // Each option is an accessor: set while connected, it applies at once (the banner starts again).
    // One set to `undefined` (plain JavaScript, or code built without exactOptionalPropertyTypes) or
    // `null` takes its default.
    static {
      for (const key of settable)
        Object.defineProperty(this.prototype, key, {
          get(this: OptinBanner) {
            return this.#options[key];
          },
          // Set while connected, it applies at once: the banner starts again with it (`again`, the
          // same decision shown, unless it is a new store).
          set(this: OptinBanner, value: unknown) {
            (this.#options as Record<string, unknown>)[key] = value ?? (defaults() as Partial<Options>)[key];
            if (this.isConnected) this.#start(key != 'consent' || !value);
          },
        });
    }
    #options: Options = defaults();
    #root = this.attachShadow({ mode: 'open' });
    // What the shadow root shows, in the language shown: the layer's <dialog>, or the settings button.
    #box = this.#root.appendChild(h('div'));
    #t: Messages = en;
    // The language a message is in: the banner's, or English where English stands in for a message
    // neither the catalog nor the page gives.
    #langOf: (key: keyof Messages) => string = () => 'en';
    #catalog?: Catalog | undefined;
    #translated: Translations = {};
    #lang = 'en';
    #dialog?: HTMLDialogElement | null;
    #returnTo?: HTMLElement | null;
    #settings = Object.assign(h('button', { class: 's', part: 'settings' }), {
      onclick: () => this.open('preferences'),
    });
    // A layer asked for before there was a store to show it for, shown once the banner starts.
    #wanted?: BannerLayer | null;
    #unsubscribe = () => {};
    // How the learner left the switches of the preferences drawn, to keep when they are drawn again;
    // none once the decision they show has changed, or the store.
    #kept?: (() => Record<string, boolean>) | null;

    constructor() {
      super();
      this.#root.adoptedStyleSheets = [bannerSheet()];
      this.addEventListener('keydown', (event) => {
        if (!this.#dialog) return;
        if (event.key != 'Escape') trapFocus(event, this.#dialog, this.#root.activeElement);
        else {
          // The banner's, even where it has nothing to close (the first layer before a choice is
          // modal): never the page's Esc too (a dialog of the page behind it would close), nor the
          // <dialog>'s own (it would close without a choice).
          this.#back();
          event.stopPropagation();
          event.preventDefault();
        }
      });
      // Properties set on a server-rendered <optin-banner> before the element was defined are its
      // own, hiding the accessors below: they go through them now (the "upgrade property" pattern).
      const own = this as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(this))
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- one of the options, and 7 bytes
        if (settable.includes(key as keyof BannerOptions) && delete own[key]) own[key] = value;
    }

    connectedCallback() {
      // Moved in the document (a layer still shown): the preferences keep the switches not yet saved.
      this.#start(this.layer);
    }

    disconnectedCallback() {
      this.#unsubscribe();
      // Its dialog, if any, is no longer modal: connected again, it shows a new one.
      this.#dialog = null;
      // Moved in the document (disconnected, then connected again at once), it keeps its turn and
      // the layer shown: open preferences stay open.
      queueMicrotask(() => {
        const turn = turns.indexOf(this);
        if (this.isConnected || turn < 0) return;
        this.layer = null;
        turns.splice(turn, 1);
        if (!turn && turns[0]) turns[0].#resume();
      });
    }

    // Its turn has come (the banner shown before left): shows what the learner needs now.
    #resume() {
      void this.ready.then(() => (this.consent.needsPrompt ? this.#show('notice') : this.#render()));
    }

    // Follows the store and shows what it asks for, in the language of the page. `again`: an option
    // other than the store was set (the same decision shown): open preferences, redrawn with it, keep
    // the switches the learner has not saved yet.
    #start(again?: unknown) {
      const { consent, locales, locale, messages } = this.#options;
      this.#unsubscribe();
      if (!again) this.#kept = null;
      if (!consent) return;
      if (!turns.includes(this)) turns.push(this);
      // Another tab, the page or a reset can change the decision while the banner is up. Open
      // preferences show it at once: saving switches that show the old choice would undo it.
      this.#unsubscribe = consent.subscribe(() => {
        // Redrawn in place, focus kept (see #render), the switches showing the new decision.
        if (this.layer == 'preferences') {
          this.#kept = null;
          this.#render();
        } else if (consent.needsPrompt) {
          if (!this.layer) this.#show('notice');
        } else this.close(); // (The notice; none has nothing to close.)
      });
      const code = pageLocale(locales, locale);
      const ready: Promise<void> = (this.ready = loadCatalog(locales, code).then((catalog) => {
        if (this.ready != ready) return; // started again meanwhile: that start shows the banner
        // The notice while undecided; the preferences stay open if an option changed while they were.
        const layer =
          this.layer == 'preferences' ? this.layer : (this.#wanted ?? (consent.needsPrompt ? 'notice' : null));
        this.#catalog = catalog;
        this.#translated = translations(catalog, consent.policy, code);
        const lang = (this.#lang = catalog ? languageTag(code) : 'en'); // English shown: labelled English
        this.#t = { ...en, ...catalog?.messages, ...messages };
        this.#langOf = (key) => ((messages[key] ?? catalog?.messages[key]) || /^en\b/i.test(lang) ? lang : 'en');
        if (this.#wanted) this.#first();
        this.#wanted = null;
        if (layer) this.#show(layer);
        else if (this.layer) this.close();
        else this.#render();
      }));
    }

    open(layer: BannerLayer = 'notice') {
      // A "Cookie settings" link used before the page has set the store: shown as soon as it has.
      // (The store's property, unset until the page sets it.)
      if (!(this.consent as ConsentStore | undefined)) {
        this.#wanted = layer;
        return this.ready;
      }
      return this.ready.then(() => {
        this.#first();
        this.#show(layer);
      });
    }

    // Takes the turn (the page opened this banner): the one shown until now closes and shows nothing.
    #first() {
      const [shown] = turns as [OptinBanner];
      const turn = turns.indexOf(this);
      // (-1: not started; 0: its turn already; after the first: there is one shown.)
      if (turn > 0) {
        turns.splice(turn, 1);
        turns.unshift(this);
        shown.close();
        shown.#render();
      }
    }

    close() {
      if (!this.layer) return;
      this.layer = null;
      this.#render(true);
      // (Set again by the next layer shown.)
      this.#returnTo?.focus();
    }

    // Shows a layer, if it is this banner's turn.
    #show(layer: BannerLayer) {
      if (turns[0] != this) return;
      const moved = this.layer != layer;
      // Opened (from closed): focus returns, when it closes, to the focused element, looked for
      // into shadow roots.
      if (!this.layer) {
        let active = doc('activeElement');
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        this.#returnTo = active as HTMLElement | null;
      }
      this.layer = layer;
      this.#render(moved);
      // The same layer again is redrawn in place, focus kept (see #render).
      if (moved) this.#dialog?.focus();
    }

    // Esc and Close: from the preferences back to the notice while undecided, otherwise closed.
    #back() {
      if (!this.consent.needsPrompt) this.close();
      else if (this.layer == 'preferences') {
        this.#show('notice');
        // Focus goes back to the control that opened the preferences: the notice's "Preferences",
        // the last button of its last row.
        (this.#dialog?.lastChild?.lastChild as HTMLElement | null | undefined)?.focus();
      }
    }

    // Draws the layer shown (or the settings button); nothing while another banner has the turn.
    // `moved`: the layer shown is another than the one drawn (see #show), or none (closed).
    #render(moved?: boolean) {
      const { consent, layer, member } = this;
      const t = this.#t;
      const langOf = this.#langOf;
      const lang = this.#lang;
      // A message (its `{…}` filled with `values`) as a child of the banner: marked lang="en" where
      // English stands in, so that a screen reader reads it as English, not with the sounds of the
      // language shown (WCAG 3.1.2).
      const say = (key: keyof Messages, values?: Readonly<Record<string, string>>) =>
        marked(fill(t[key], values), langOf(key), lang);
      // A purpose's label and description in the language shown, else the policy's own text (the
      // catalog has no translation of it now), marked with the policy's language where that is not
      // the one shown, so that a screen reader reads it in that language (WCAG 3.1.2), not, say,
      // English words with French sounds: in the preferences and in the first layer's note alike.
      const own = (x: string) => marked(x, languageTag(consent.policy.lang), lang);
      const text = (p: Purpose) => this.#translated[p.id] ?? [own(p.label), own(p.description)];
      const root = Object.assign(this.#box, { dir: this.#catalog?.dir ?? 'ltr', lang });
      // Redrawn in place (the same layer): focus stays on the same control, found by its key (a
      // switch's, a button's or the Member's group's name, a link's URL), so that a keyboard or screen
      // reader user is not sent back to the top of the dialog, nor to another control: never by its
      // place, which a link added before it (a policy URL, a declaration set late) would give to
      // another ("Accept all" where the learner was on "Reject all"). A switch now locked (another
      // tab refused its purpose) gives it to its group.
      const keyOf = (el: Element | null) =>
        (el as HTMLInputElement | null)?.name || (el as HTMLAnchorElement | null)?.href;
      const at = keyOf(this.#root.activeElement); // (none: the dialog itself, or nothing)
      // Built first: a declaration it cannot be built from (an error the page sees) leaves the layer
      // shown as it was, the learner's way to decide with it. Redrawn for the same store and decision
      // (an option or the language changed), they keep the switches the learner has not saved yet.
      const prefs =
        layer == 'preferences' &&
        buildPreferences(consent, lang, t, say, langOf, text, this.declaration, member, this.#kept?.());
      // The same layer again (an option set, the language, another tab's choice) is redrawn in place,
      // in the dialog shown: not slid in again, scrolled where the learner left it, and the same
      // dialog to a screen reader (not announced again).
      const shown = !moved && this.#dialog;
      this.#kept = prefs ? prefs.state : null;
      this.#dialog = null;
      if (!shown) root.replaceChildren();
      this.#settings.replaceChildren(say('settings'));
      if (turns[0] != this) return;
      if (!layer) {
        if (this.settingsButton) root.append(this.#settings);
      } else {
        const policy = safeUrl(this.policyUrl);
        // Where the learner decides, for the decision's record.
        const source = prefs ? layer : 'banner';
        // Read with the notice: the preferences' way to control cookies in the browser too; on the
        // first layer, the purposes a privacy signal keeps off (unless already granted), "Accept all"
        // included, named as the preferences name them, so that a learner deciding there knows it.
        // (Whether a privacy signal refuses a purpose now: then "Accept all" too leaves it off, unless
        // turned on in the preferences.)
        const off = (p: Purpose) => p.gpc && consent.privacySignal && !consent.allows(p.id);
        const signalled = consent.policy.purposes.filter(off);
        // (Its `{purposes}` filled with nodes: a label shown untranslated keeps its mark. A message
        // without one is followed by the list.)
        const [before, after] = t.signal.split('{purposes}');
        const note = prefs
          ? say('browser')
          : signalled[0] &&
            marked(
              [
                before,
                ...listed(
                  signalled.map((p) => text(p)[0]),
                  lang,
                ),
                after,
              ],
              langOf('signal'),
              lang,
            );
        // A button of the dialog, named by its message's key (a redraw finds it by it: see keyOf);
        // `decides`: it closes the banner once it has done. (No type="button": a button in the shadow
        // root has no form to submit, a page's form around the element included.)
        const button = (key: keyof Messages, onclick: () => unknown, decides?: 1) =>
          Object.assign(h('button', { name: key }, say(key)), {
            onclick: () => {
              onclick();
              if (decides) this.close();
            },
          });
        // Every purpose, and this Member's refusals lifted, in one decision. What GPC refuses only
        // where the learner grants it: already, or by turning its switch on in these preferences (read
        // from all the switches, each its own key: never one a polluted Object.prototype makes up).
        const acceptAll = button(
          'acceptAll',
          () => {
            const refused = member && consent.grants().members[member.id];
            consent.decide(
              {
                purposes: Object.fromEntries(
                  // (A required purpose is granted: it has no `gpc`.)
                  consent.policy.purposes.map((p) => [p.id, !off(p) || !!(prefs && prefs.state()[p.id])]),
                ),
                ...(refused && {
                  members: { [member.id]: Object.fromEntries(Object.keys(refused).map((id) => [id, true])) },
                }),
              },
              source,
            );
          },
          1,
        );
        const rejectAll = button('rejectAll', () => consent.rejectAll(source), 1);
        const dialog = h(
          'dialog',
          {
            class: prefs ? 'p x' : 'p',
            part: 'dialog',
            role: 'dialog',
            'aria-labelledby': 't',
            'aria-describedby': 'd',
            tabindex: -1,
          },
          h('h2', { id: 't' }, prefs ? say('prefsTitle') : say('title')),
          h(
            'p',
            { id: 'd' },
            prefs ? say('prefsIntro') : say('notice'),
            note && ' ',
            note,
            // On both layers: once decided, the preferences are the only one the learner reopens.
            policy && ' ',
            policy && h('a', { href: policy }, say('policy')),
          ),
          prefs && prefs.nodes,
          h(
            'div',
            { class: 'a' },
            prefs && button('save', () => consent.decide(prefs.choice(), source), 1),
            acceptAll,
            rejectAll,
            // Close (the preferences), or Preferences (the notice's last button: see #back).
            prefs ? button('close', () => this.#back()) : button('preferences', () => this.open('preferences')),
          ),
        );
        // (A new dialog takes its own children again.)
        (this.#dialog = shown || root.appendChild(dialog)).replaceChildren(...dialog.childNodes);
      }
      // Modal (top layer): the page behind is inert, out of reach of a click, Tab, its own script and
      // assistive technology until the layer closes; but only where it is seen. One the page's CSS
      // hides (a cookie-banner blocker: `optin-banner{display:none}`, its `::part(dialog)` with
      // `visibility:hidden` or `opacity:0`, or only while it is `:modal`) is open non-modal, and inert
      // (no Tab or screen reader reaches its unseen controls), so that it leaves the page usable: when
      // it opens, and whenever its size changes or a transition of it ends (the page's CSS hides it
      // once it is open, a stylesheet loaded later, or shows it again). A close
      // request not made by an Esc pressed in the banner (Android's back) is the banner's Esc; one the
      // browser will not let be cancelled (a second in a row) closes it, and so changes its size: it is
      // opened again then (never from its `close` event, which its own closing and opening here would
      // fire over and over).
      const dialog = this.#dialog;
      if (dialog && this.isConnected) {
        // (Laid out, not `visibility:hidden`, and not `opacity:0` itself. An ancestor's `opacity:0`, a
        // page's anti-flicker `html.async-hide` until its A/B test has run, hides no modal dialog: the
        // top layer is drawn without it; checkVisibility's `opacityProperty` would count it.)
        const seen = () =>
          dialog.checkVisibility({ checkVisibilityCSS: true }) && getComputedStyle(dialog).opacity != '0';
        // Shown as it should be: modal and seen, or non-modal, inert if unseen (seen: hidden only while
        // modal, it stays so, never made modal again, which would hide it and take focus over and over).
        const show = () => {
          // (Not a dialog no longer shown: one of a banner moved in the document, until it is redrawn.)
          if (this.#dialog == dialog && (!dialog.open || dialog.inert == seen())) {
            // Seen as it would show, open, before it is made modal; inert unless seen.
            dialog.close();
            dialog.open = true;
            if (!(dialog.inert = !seen())) {
              dialog.open = false;
              dialog.showModal();
              // (Focused as a whole, as when it opened, not on its first link.)
              dialog.focus();
              // (Hidden only while modal: shown as it was, non-modal.)
              if (!seen()) {
                dialog.close();
                dialog.open = true;
              }
            }
          }
        };
        dialog.oncancel = (event) => {
          event.preventDefault();
          this.#back();
        };
        // (Once a dialog: redrawn in place, it is observed already. The end of a transition of its own,
        // `visibility` or `opacity` hidden or shown (the stylesheet's `transition:1ms step-start`, whose
        // value is the new one at once: what `seen` reads just after a change is what shows), or of one
        // of its switches, which changes nothing here.)
        if (!shown) new ResizeObserver((dialog.ontransitionend = show)).observe(dialog);
        show();
        // (A new layer is then focused as a whole by #show.)
        const same = [...dialog.querySelectorAll<HTMLInputElement>('a[href],[name]')].find((x) => keyOf(x) == at);
        // Only a Member's switch is locked by a choice (its purpose refused site-wide): its group,
        // which a screen reader names ("On HarvardX courses"), then Tab goes on from there.
        ((same?.disabled ? same.closest('fieldset') : same) ?? dialog).focus({ preventScroll: true });
      }
    }
  }
  return OptinBanner;
}
