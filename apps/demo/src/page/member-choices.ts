import type { ConsentStore } from '@optin/consent';
import type { Registry } from '@optin/members';

/**
 * The learner's choices per course provider, on a platform page (the third-parties page): for each
 * Member of the config, a section ("On Harvard University courses") with a switch for each purpose
 * its trackers and tracked emails serve. The banner shows a Member's switches only on its own
 * courses, where its trackers already run on arrival; here a learner refuses them beforehand.
 * A switch shows `consent.allows(purpose, member)`; turned off it withdraws the purpose for the
 * Member, turned on it lifts that refusal (the Member's override set back to `true`, which narrows
 * nothing: the site-wide choice still rules). While the purpose is off for all of edX, the switch is
 * off and locked, and says why. It follows every change (the banner, another tab).
 */
export function mountMemberChoices(root: HTMLElement, consent: ConsentStore, registry: Registry): void {
  const { policy } = consent;
  const { trackers, email } = registry.declaration();
  const syncs: (() => void)[] = [];
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '') =>
    Object.assign(document.createElement(tag), { textContent: text });
  let n = 0;
  for (const member of registry.config.members) {
    const own = [...trackers, ...email].filter((x) => x.owner == member.id);
    const section = el('fieldset');
    section.append(
      el('legend', `On ${member.name} courses`),
      el(
        'p',
        own.length
          ? `${member.name}'s own trackers and tracked emails run only on its courses. Turn one off here and it never runs there; edX's own choices stay as they are.`
          : `${member.name} runs no trackers of its own.`,
      ),
    );
    for (const p of policy.purposes) {
      const serving = own.filter((x) => x.purposes.includes(p.id));
      if (p.required || !serving.length) continue;
      const id = `mc${String(n++)}`;
      const input = Object.assign(el('input'), { type: 'checkbox', name: `${member.id} ${p.id}` });
      input.setAttribute('role', 'switch');
      const label = el('label');
      label.append(input, ` ${p.label}`);
      const what = el('p', serving.map((x) => ('vendor' in x ? x.vendor.name : 'Email opens and clicks')).join(', '));
      const off = el('p', `Off on all of edX: turn ${p.label} on in Cookie settings to choose it for ${member.name}.`);
      what.id = id;
      off.id = `${id}o`;
      what.className = off.className = 'd';
      const div = el('div');
      div.append(label, what, off);
      section.append(div);
      const sync = () => {
        const site = consent.allows(p.id);
        input.checked = consent.allows(p.id, member.id);
        input.disabled = !site;
        off.hidden = site;
        // Described by why it is locked only while it is (a hidden element would still be read).
        input.setAttribute('aria-describedby', site ? id : `${id} ${id}o`);
      };
      input.addEventListener('change', () => {
        if (input.checked) consent.decide({ members: { [member.id]: { [p.id]: true } } }, 'preferences');
        else consent.withdraw(p.id, member.id);
        sync();
      });
      syncs.push(sync);
    }
    root.append(section);
  }
  const syncAll = () => {
    for (const sync of syncs) sync();
  };
  consent.subscribe(syncAll);
  syncAll();
}
