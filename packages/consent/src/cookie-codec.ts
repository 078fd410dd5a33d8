import type { Decision, DecisionSource } from './decision.js';
import { checksum, policyHash, type Policy } from './policy.js';

const SOURCES: readonly DecisionSource[] = ['banner', 'preferences', 'api', 'gpc', 'default'];
// Two checksums, salted with the format version: one over the policy hash (a value made under any
// other policy or policy version never verifies it), one over the policy id and its purposes' ids
// only (a value made under an earlier version of this policy, with the same purposes, still
// verifies it: its refusals outlive a policy change, its grants do not).
const sums = (policy: Policy, body: string) =>
  `${checksum(`2${policy.id}/${policy.purposes.map((p) => p.id).join()}${body}`)}/${checksum(`2${policyHash(policy)}${body}`)}`;

/**
 * Encodes a decision as a compact cookie value,
 * `<purposes>/<members>/<source>/<time>/<id>/<flags>/<sum>/<sum>`: one digit a purpose in policy
 * order (`-` for unset Member overrides), flags (1: GPC on, 2: grants implied by opt-out mode), and
 * the two checksums. Only cookie-safe characters are used.
 */
export function encodeDecision(decision: Decision, policy: Policy): string {
  const bits = (choices: Readonly<Record<string, boolean>>) =>
    policy.purposes.map((p) => (p.id in choices ? +!!choices[p.id] : '-')).join('');
  const body = [
    bits(decision.purposes),
    Object.entries(decision.members)
      .map(([member, choices]) => `${encodeURIComponent(member)}:${bits(choices)}`)
      .join('&'),
    SOURCES.indexOf(decision.source),
    Date.parse(decision.decidedAt).toString(36),
    encodeURIComponent(decision.consentId),
    +!!decision.gpc + 2 * +!!decision.implied,
  ].join('/');
  return `${body}/${sums(policy, body)}`;
}

/**
 * Decodes a value made by {@link encodeDecision} under this policy. Anything whose checksum does
 * not verify (a random or edited value, one made under another policy or policy version) or that
 * does not parse, or dated more than 5 minutes after now (clock skew between the browser that decided
 * and a server reading it: anything later would outlive and outrank every real decision), is `null`:
 * no decision at all, never a grant. The checksum detects corruption and
 * edits; it is not a signature (a browser holds no secret), and a learner's own choice is theirs.
 *
 * With `anyVersion`, a value made under another version of this policy with the same purposes is
 * decoded too, with an empty `policy.hash`: it binds no longer, but its refusals
 * (and Member overrides, which only refuse) still say what the learner did not want.
 */
export function decodeDecision(value: string, policy: Policy, anyVersion?: boolean): Decision | null {
  const parts = value.split('/');
  const body = parts.slice(0, -2).join('/');
  const [bits = '', memberText, source = '', time = '', consentId = '', flags = ''] = parts;
  const [sum = '', current] = sums(policy, body).split('/');
  const choices = (text: string) =>
    Object.fromEntries(
      policy.purposes.flatMap((p, i) => (text[i] === '-' ? [] : [[p.id, !!p.required || text[i] === '1']])),
    );
  try {
    return parts.length == 8 &&
      parts[6] === sum &&
      (anyVersion || parts[7] === current) &&
      parseInt(time, 36) < Date.now() + 3e5
      ? {
          consentId: decodeURIComponent(consentId),
          policy: { id: policy.id, version: policy.version, hash: parts[7] === current ? policyHash(policy) : '' },
          purposes: choices(bits),
          members: Object.fromEntries(
            (memberText ? memberText.split('&') : []).map((part) => {
              const [member = '', text = ''] = part.split(':');
              return [decodeURIComponent(member), choices(text)];
            }),
          ),
          source: SOURCES[+source] ?? 'default',
          decidedAt: new Date(parseInt(time, 36)).toISOString(),
          ...(+flags & 1 && { gpc: true }),
          ...(+flags & 2 && { implied: true }),
        }
      : null;
  } catch {
    return null;
  }
}
