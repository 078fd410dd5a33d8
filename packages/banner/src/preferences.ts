import type { ConsentChoice, ConsentStore, Purpose } from '@optin/consent';
import type { BannerDeclaration, BannerMember } from './declaration.js';
import { fill, h } from './dom.js';
import type { Catalog, Messages } from './messages.js';
import { safeUrl } from './safe-url.js';

/** What the preferences are built from. */
interface PreferencesInput {
  /** The consent store: its policy's purposes and the switches' current state. */
  readonly consent: ConsentStore;
  /** The language shown, a BCP 47 tag (for lists: "A, B and C"). */
  readonly lang: string;
  /** The messages of the language shown. */
  readonly t: Messages;
  /** The catalog of the language shown (for purpose translations), if not English. */
  readonly catalog: Catalog | null;
  /** The list of third parties. */
  readonly declaration: BannerDeclaration | null;
  /** The Member whose course page this is. */
  readonly member: BannerMember | null;
}

/** The preferences' content and the choice its switches make. */
export interface Preferences {
  /** Purposes (grouped), the Member's section and the list of third parties. */
  readonly nodes: Node[];
  /** The choice the switches show now. */
  choice(): ConsentChoice;
}

/**
 * Builds the preferences: a switch per purpose with its description (required ones locked on,
 * purposes sharing a `group` under one heading); on a Member's course page, per-Member switches for
 * the purposes its trackers serve; and the third parties with their privacy and opt-out links.
 */
export function buildPreferences({ consent, lang, t, catalog, declaration, member }: PreferencesInput): Preferences {
  const { policy } = consent;
  // "A, B and C" in the language shown; with commas where Intl cannot (an old browser, a tag it refuses).
  const list = (items: string[]) => {
    try {
      return new Intl.ListFormat(lang).format(items);
    } catch {
      return items.join(', ');
    }
  };
  const text = (p: Purpose) => catalog?.purposes?.[policy.id]?.[p.id] ?? [p.label, p.description];
  const label = (id: string) => {
    const p = policy.purposes.find((x) => x.id === id);
    return p ? text(p)[0] : id;
  };
  let n = 0;
  // A switch with its label and (optional) description; `on` is read back on save.
  const toggle = (name: string, checked: boolean, description: string, locked?: boolean) => {
    const id = `d${n++}`;
    const input = h('input', {
      type: 'checkbox',
      role: 'switch',
      checked,
      disabled: !!locked,
      'aria-describedby': !!description && id,
    });
    const node = h(
      'div',
      {},
      h('label', {}, input, name, locked ? h('span', { class: 'd' }, t.alwaysOn) : null),
      description ? h('p', { class: 'd', id }, description) : null,
    );
    return { node, input, on: () => input.checked };
  };

  const purposes: Record<string, () => boolean> = {};
  const inputs: Record<string, HTMLInputElement> = {};
  const groups = new Map<string, HTMLElement>();
  const nodes: Node[] = [];
  for (const p of policy.purposes) {
    const [name, description] = text(p);
    const gpc = p.gpc && consent.privacySignal ? ` ${t.gpc}` : '';
    const s = toggle(name, consent.allows(p.id), description + gpc, p.required);
    if (!p.required) purposes[p.id] = s.on;
    inputs[p.id] = s.input;
    let parent = p.group === undefined ? undefined : groups.get(p.group);
    if (p.group !== undefined && !parent) {
      const heading = policy.purposes.filter((x) => x.group === p.group).map((x) => text(x)[0]);
      groups.set(p.group, (parent = h('fieldset', {}, h('legend', {}, list(heading)))));
      nodes.push(parent);
    }
    if (parent) parent.append(s.node);
    else nodes.push(s.node);
  }

  const trackers = declaration?.trackers ?? [];
  const memberChoices: Record<string, () => boolean> = {};
  if (member) {
    const own = trackers.filter((x) => x.owner === member.id);
    const section = h(
      'fieldset',
      {},
      h('legend', {}, fill(t.member, { name: member.name })),
      h('p', { class: 'd' }, fill(t.memberIntro, { name: member.name })),
    );
    for (const p of policy.purposes) {
      const serving = own.filter((x) => x.purposes.includes(p.id));
      const site = inputs[p.id];
      if (p.required || !site || (own.length && !serving.length)) continue;
      // Shows what applies on the Member's courses: off (and locked) while the purpose is off site-wide,
      // else the Member's own choice, which is what is saved (it only narrows the site-wide one).
      let mine = consent.grants().members[member.id]?.[p.id] !== false;
      const { node, input } = toggle(text(p)[0], false, list(serving.map((x) => x.vendor.name)));
      const sync = () => {
        input.checked = site.checked && mine;
        input.disabled = !site.checked;
      };
      sync();
      site.addEventListener('change', sync);
      input.onchange = () => (mine = input.checked);
      memberChoices[p.id] = () => mine;
      section.append(node);
    }
    nodes.push(section);
  }

  if (trackers.length)
    nodes.push(
      h(
        'section',
        {},
        h('h3', {}, t.thirdParties),
        h(
          'ul',
          {},
          ...trackers.map((x) => {
            // Named with the vendor and the new tab ("Privacy policy: Segment (opens in a new tab)"):
            // screen readers list links out of context, where a dozen "Opt out" tell nothing apart.
            const link = (url: string | null | undefined, text: string) => {
              const href = safeUrl(url);
              const name = fill(t.vendorLink, { link: text, name: x.vendor.name });
              return href && h('a', { href, target: '_blank', rel: 'noopener noreferrer', 'aria-label': name }, text);
            };
            return h(
              'li',
              {},
              h('b', {}, x.vendor.name),
              h('span', { class: 'd' }, ` (${x.ownerName}: ${list(x.purposes.map(label))}) `),
              link(x.vendor.privacyUrl, t.privacy),
              link(x.vendor.optOutUrl, t.optOut),
            );
          }),
        ),
      ),
    );

  const read = (switches: Record<string, () => boolean>) =>
    Object.fromEntries(Object.entries(switches).map(([id, on]) => [id, on()]));
  return {
    nodes,
    choice: () => ({
      purposes: read(purposes),
      ...(member && { members: { [member.id]: read(memberChoices) } }),
    }),
  };
}
