import type { Decision, DecisionSource } from './decision.js';
import { own } from './own.js';
import { checksum, isRequired, policyHash, type Policy, type Purpose } from './policy.js';

const SOURCES: readonly DecisionSource[] = ['banner', 'preferences', 'api', 'gpc', 'default'];
// Two checksums, salted with the format version: one over the policy id (a value made under another
// version of this policy, even with other purposes, still verifies it: its refusals outlive a policy
// change, its grants do not), one over the policy hash (a value made under any other policy or policy
// version never verifies it).
const sums = (policy: Policy, body: string) => [
  checksum(`3${policy.id}/${body}`),
  checksum(`3${policyHash(policy)}${body}`),
];
// The fields of a value, as `encodeDecision` writes them (the checksums follow).
type Parts = [tags: string, purposes: string, members: string, source: string, time: string, id: string, flags: string];
// Each purpose's fingerprint: two characters of its id's checksum, so that a value names the
// purposes its digits are for without spelling out their ids.
const tag = (p: Purpose) => `0${checksum(p.id)}`.slice(-2);

/**
 * Encodes a decision as a compact cookie value,
 * `<tags>/<purposes>/<members>/<source>/<time>/<id>/<flags>/<sum>/<sum>`: a two-character
 * fingerprint of each purpose's id, then one digit a purpose in that order (`-` for unset Member
 * overrides), flags (1: GPC on, 2: grants implied by opt-out mode), and the two checksums. Only
 * cookie-safe characters are used.
 */
export function encodeDecision(decision: Decision, policy: Policy): string {
  const bits = (choices: Readonly<Record<string, boolean>>) =>
    policy.purposes.map((p) => (Object.hasOwn(choices, p.id) ? +!!choices[p.id] : '-')).join('');
  const body = [
    policy.purposes.map(tag).join(''),
    bits(decision.purposes),
    Object.entries(decision.members)
      .map(([member, choices]) => `${encodeURIComponent(member)}:${bits(choices)}`)
      .join('&'),
    SOURCES.indexOf(decision.source),
    Date.parse(decision.decidedAt).toString(36),
    encodeURIComponent(decision.consentId),
    +!!own(decision, 'gpc') + 2 * +!!decision.implied,
  ].join('/');
  return [body, ...sums(policy, body)].join('/');
}

/**
 * Decodes a value made by {@link encodeDecision} under this policy. Anything whose checksum does
 * not verify (a random or edited value, one made under another policy or policy version) or that
 * does not parse is `null`: no decision at all, never a grant; so is one dated more than 5 minutes
 * after `now` (beyond clock skew between the browser that decided and a server reading it: a clock
 * running ahead, or an edited value). The checksum detects corruption and edits; it is not a
 * signature (a browser holds no secret), and a learner's own choice is theirs.
 *
 * With `anyVersion`, a value made under another version of this policy is decoded too, with an
 * empty `policy.hash` and its refusals only: it binds no longer, but its refusals (and Member
 * overrides, which only refuse) still say what the learner did not want. Each is read for the
 * purpose of the same id (by its fingerprint), wherever the policy has since moved it and whatever
 * purposes it added or dropped. A purpose whose id shares a fingerprint with a refused one (about
 * one chance in 1,300 a pair) reads as refused too: never the other way round. A value dated in the
 * future is read the same way (refusals only, never binding), as made 5 minutes before `now`: what
 * a learner on a fast clock refused stays refused, and the value neither outlives nor outranks a
 * real decision made since. Give every copy compared the same `now` (default: the current time),
 * so that copies dated in the future tie (and the first found wins, as in the browser's store).
 */
export function decodeDecision(value: string, policy: Policy, anyVersion?: boolean, now = Date.now()): Decision | null {
  const parts = value.split('/');
  const body = parts.slice(0, -2).join('/');
  // Each is there whenever the first checksum verifies (it needs eight parts at least).
  const [list, bits, memberText, source, time, consentId, flags] = parts as Parts;
  const [sum, current] = sums(policy, body);
  const at = parseInt(time, 36);
  // Dated beyond clock skew in the future: read as if made under an earlier version.
  const past = at < now + 3e5;
  const binding = parts[8] == current && past;
  // Made under this very policy: one digit a purpose, in order. Otherwise only refusals, each for the
  // purpose with the fingerprint it was stored under.
  const choices = (text: string) =>
    Object.fromEntries(
      policy.purposes.flatMap((p, i) =>
        binding
          ? text[i] == '-'
            ? []
            : [[p.id, isRequired(p) || text[i] == '1']]
          : list.match(/../g)?.some((t, j) => t == tag(p) && text[j] == '0')
            ? [[p.id, isRequired(p)]]
            : [],
      ),
    );
  try {
    return parts[7] == sum && (anyVersion || binding)
      ? {
          consentId: decodeURIComponent(consentId),
          policy: { id: policy.id, version: policy.version, hash: binding ? policyHash(policy) : '' },
          purposes: choices(bits),
          members: Object.fromEntries(
            (memberText ? memberText.split('&') : []).map((part) => {
              // Encoded as `member:digits`: a part without `:` throws below, and the value is no decision.
              const [member, text] = part.split(':') as [string, string];
              return [decodeURIComponent(member), choices(text)];
            }),
          ),
          source: SOURCES[+source] ?? 'default',
          decidedAt: new Date(past ? at : now - 3e5).toISOString(),
          ...(+flags & 1 && { gpc: true }),
          ...(+flags & 2 && { implied: true }),
        }
      : null;
  } catch {
    return null;
  }
}
