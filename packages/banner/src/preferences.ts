import type { ConsentChoice, ConsentStore, Purpose } from '@optin/consent';
import type { BannerDeclaration, BannerMember, EmailSender, ThirdParty } from './declaration.js';
import { fill, h, listed, marked, type Child } from './dom.js';
import type { Messages } from './messages.js';
import { safeUrl } from './safe-url.js';

/** The preferences' content and the choice its switches make. */
export interface Preferences {
  /** Purposes (grouped), the Member's section and the list of third parties. */
  readonly nodes: Node[];
  /**
   * The choice the learner made on the switches: the purposes they changed, and the Member's
   * switches they changed (a grant only where it is shown on).
   */
  choice(): ConsentChoice & Required<Pick<ConsentChoice, 'purposes'>>;
  /** The switches as they are now, by key (a purpose's id; `memberId purposeId` for the Member's own choice). */
  readonly state: () => Record<string, boolean>;
}

/**
 * Builds the preferences: a switch per purpose with its description (required ones locked on,
 * purposes sharing a `group` under one heading); on a Member's course page, per-Member switches for
 * the purposes its trackers and tracked emails serve; and the third parties with their privacy and
 * opt-out links, then the senders whose emails are tracked. (Positional parameters: a bundle carries
 * no names of them.)
 *
 * @param consent The consent store: its policy's purposes and the switches' current state.
 * @param lang The language shown, a BCP 47 tag (for lists: "A, B and C").
 * @param t The messages of the language shown (English where the catalog has none).
 * @param say A message (its `{…}` filled with `values`) as a child of an element of the language
 *   shown, marked with its own.
 * @param langOf The language a message is in.
 * @param text A purpose's label and description in the language shown, or the policy's own text,
 *   marked with its language where that is another.
 * @param declaration The list of third parties.
 * @param member The Member whose course page this is.
 * @param kept The switches as the learner left them in the preferences these redraw (see
 *   {@link Preferences.state}), shown instead of what is in force: the decision is the same, only an
 *   option or the language changed.
 */
export function buildPreferences(
  consent: ConsentStore,
  lang: string,
  t: Messages,
  say: (key: keyof Messages, values?: Readonly<Record<string, string>>) => Node | string,
  langOf: (key: keyof Messages) => string,
  text: (p: Purpose) => readonly [Node | string, Node | string, ...unknown[]],
  declaration: BannerDeclaration | null,
  member: BannerMember | null,
  kept: Readonly<Record<string, boolean>> | undefined,
): Preferences {
  const { policy } = consent;
  const label = (id: string) => {
    const p = policy.purposes.find((x) => x.id == id);
    return p ? text(p)[0] : id;
  };
  let n = 0;
  // A switch with its label and (optional) description; `on` is read back on save. Its `name` is its
  // key (the purpose's id, or `memberId purposeId`): a redraw finds it again by it, and the focus with
  // it. In a section (`within`: its heading's id) it is named by its label then that heading
  // ("Analytics On HarvardX courses"), so that a list of form controls tells it from the site-wide
  // switch of the same label.
  const toggle = (
    key: string,
    name: Node | string,
    checked: boolean,
    description: Child[],
    locked?: boolean,
    within?: string,
  ) => {
    const id = n++;
    const described = description.some((x) => x);
    const input = h('input', {
      type: 'checkbox',
      role: 'switch',
      name: key,
      checked,
      disabled: !!locked,
      'aria-describedby': described && `d${id}`,
      'aria-labelledby': !!within && `l${id} ${within}`,
    });
    const node = h(
      'div',
      {},
      h(
        'label',
        {},
        input,
        within ? h('span', { id: `l${id}` }, name) : name,
        locked && h('span', { class: 'd' }, say('alwaysOn')),
      ),
      described && h('p', { class: 'd', id: `d${id}` }, description),
    );
    return { node, input, on: () => input.checked };
  };

  const purposes: Record<string, () => boolean> = {};
  const state: Record<string, () => boolean> = {};
  const inputs: Record<string, HTMLInputElement> = {};
  // (No prototype: a group such as "constructor" is one like any other.)
  const groups = Object.create(null) as Record<string, HTMLElement>;
  const nodes: Node[] = [];
  for (const p of policy.purposes) {
    const [name, description] = text(p);
    // The signal that refuses it, named: Global Privacy Control whenever it is in force (from the
    // browser or the request's `Sec-GPC`), Do Not Track only where it alone refuses.
    const gpc = p.gpc && consent.privacySignal;
    const s = toggle(
      p.id,
      name,
      kept?.[p.id] ?? consent.allows(p.id),
      [description, gpc && ' ', gpc && say(gpc == 'dnt' ? gpc : 'gpc')],
      p.required,
    );
    state[p.id] = s.on;
    if (!p.required) purposes[p.id] = s.on;
    inputs[p.id] = s.input;
    const group = p.group;
    // A group's fieldset comes with its first purpose, headed by all of theirs.
    if (group != null && !groups[group]) {
      const heading = policy.purposes.filter((x) => x.group == group).map((x) => text(x)[0]);
      nodes.push((groups[group] = h('fieldset', {}, h('legend', {}, listed(heading, lang)))));
    }
    if (group == null) nodes.push(s.node);
    else groups[group]?.append(s.node);
  }

  // The trackers, then the senders whose emails are tracked (named "Email opens and clicks", no links).
  const parties = [...(declaration?.trackers ?? []), ...(declaration?.email ?? [])];
  const name = (x: ThirdParty | EmailSender) => x.vendor?.name ?? say('email');
  const memberChoices: Record<string, () => boolean | null> = {};
  if (member) {
    const own = parties.filter((x) => x.owner == member.id);
    // Named, and focusable by script: a switch of it that another tab's choice locks gives it the focus.
    const section = h(
      'fieldset',
      { name: '.m', tabindex: -1 },
      h('legend', { id: 'm' }, say('member', { name: member.name })),
      h('p', { class: 'd' }, say('memberIntro', { name: member.name })),
    );
    for (const p of policy.purposes) {
      const serving = own.filter((x) => x.purposes?.includes(p.id));
      const site = inputs[p.id] as HTMLInputElement; // (every purpose has its switch)
      if (p.required || (own.length && !serving.length)) continue;
      // Shows what applies on the Member's courses: off (and locked) while the purpose is off site-wide,
      // else the Member's own choice (it only narrows the site-wide one). Saved only where the learner
      // changed it, and a grant only where it is shown on: never one the learner saw off.
      const key = `${member.id} ${p.id}`;
      const stored = () => consent.grants().members[member.id]?.[p.id] != false;
      let mine = kept?.[key] ?? stored();
      const { node, input } = toggle(key, text(p)[0], false, listed(serving.map(name), lang), false, 'm');
      const sync = () => {
        input.checked = site.checked && mine;
        input.disabled = !site.checked;
      };
      sync();
      site.addEventListener('change', sync);
      input.onchange = () => (mine = input.checked);
      state[key] = () => mine;
      memberChoices[p.id] = () => (mine == stored() || (mine && !input.checked) ? null : mine);
      section.append(node);
    }
    nodes.push(section);
  }

  if (parties.length)
    nodes.push(
      h(
        'section',
        {},
        h('h3', {}, say('thirdParties')),
        // Their opt-outs (the links below) are theirs: the policy's word on them, where a third
        // party's is shown (a first-party tracker's is the site's own, not to be disowned).
        parties.some((x) => x.party != 'first' && safeUrl(x.vendor?.optOutUrl)) &&
          h('p', { class: 'd' }, say('optOuts')),
        h(
          'ul',
          {},
          parties.map((x) => {
            const { vendor } = x;
            // Named with the vendor and the new tab ("Privacy policy: Segment (opens in a new tab)"):
            // screen readers list links out of context, where a dozen "Opt out" tell nothing apart.
            // Its name is in the language of `vendorLink` (English where it stands in): so is the link.
            const link = (url: string | null | undefined, key: 'privacy' | 'optOut') => {
              const href = safeUrl(url);
              const named = langOf('vendorLink');
              return (
                href &&
                h(
                  'a',
                  {
                    href,
                    target: '_blank',
                    rel: 'noreferrer', // (which implies noopener)
                    // (A link is one of the vendor's URLs: there is a vendor.)
                    'aria-label': fill(t.vendorLink, { link: t[key], name: (vendor as ThirdParty['vendor']).name }),
                    lang: named != lang && named,
                  },
                  marked(t[key], langOf(key), named),
                )
              );
            };
            return h(
              'li',
              {},
              h('b', {}, name(x)),
              h('span', { class: 'd' }, ` (${x.ownerName}: `, listed(x.purposes?.map(label) ?? [], lang), ') '),
              link(vendor?.privacyUrl, 'privacy'),
              link(vendor?.optOutUrl, 'optOut'),
            );
          }),
        ),
      ),
    );

  // The switches' values (`null`: no choice), less those left as they are in force. (No prototype:
  // redrawn from it, a switch it has no key of never reads a polluted Object.prototype's.)
  const read = (switches: Record<string, () => boolean | null>, changed?: 1) => {
    const out = Object.create(null) as Record<string, boolean>;
    for (const [id, on] of Object.entries(switches)) {
      const value = on();
      if (value != null && (!changed || value != consent.allows(id))) out[id] = value;
    }
    return out;
  };
  return {
    nodes,
    // A purpose switch left as shown is no choice of the learner's: the store keeps what is in force,
    // and says when that is opt-out's default (`implied`), which an opt-in page does not take for consent.
    // Nor is a Member switch left as stored: an override the learner never set is not saved.
    choice: () => {
      const mine = read(memberChoices);
      return {
        purposes: read(purposes, 1),
        ...(member && Object.keys(mine).length && { members: { [member.id]: mine } }),
      };
    },
    state: () => read(state),
  };
}
