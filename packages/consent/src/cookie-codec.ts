import type { Decision, DecisionSource } from './decision.js';
import { checksum, policyHash, type Policy } from './policy.js';

const SOURCES: readonly DecisionSource[] = ['banner', 'preferences', 'api', 'gpc', 'default'];
// Checksums are salted with the format version and the policy hash: a value made by another
// format or under another policy (or policy version) never verifies.
const sum = (policy: Policy, body: string) => checksum(`1${policyHash(policy)}${body}`);

/**
 * Encodes a decision as a compact cookie value, `<purposes>/<members>/<source>/<time>/<id>/<gpc>/<sum>`:
 * one digit a purpose in policy order (`-` for unset Member overrides), and a checksum over the
 * policy hash and the rest. Only cookie-safe characters are used.
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
    +!!decision.gpc,
  ].join('/');
  return `${body}/${sum(policy, body)}`;
}

/**
 * Decodes a value made by {@link encodeDecision} under this policy. Anything whose checksum does
 * not verify (a random or edited value, one made under another policy or policy version) or that
 * does not parse is `null`: no decision at all, never a grant. The checksum detects corruption and
 * edits; it is not a signature (a browser holds no secret), and a learner's own choice is theirs.
 */
export function decodeDecision(value: string, policy: Policy): Decision | null {
  const body = value.slice(0, value.lastIndexOf('/'));
  const [bits = '', memberText, source = '', time = '', consentId = '', gpc] = body.split('/');
  const choices = (text: string) =>
    Object.fromEntries(
      policy.purposes.flatMap((p, i) => (text[i] === '-' ? [] : [[p.id, !!p.required || text[i] === '1']])),
    );
  try {
    return value === `${body}/${sum(policy, body)}`
      ? {
          consentId: decodeURIComponent(consentId),
          policy: { id: policy.id, version: policy.version, hash: policyHash(policy) },
          purposes: choices(bits),
          members: Object.fromEntries(
            (memberText ? memberText.split('&') : []).map((part) => {
              const [member = '', text = ''] = part.split(':');
              return [decodeURIComponent(member), choices(text)];
            }),
          ),
          source: SOURCES[+source] ?? 'default',
          decidedAt: new Date(parseInt(time, 36)).toISOString(),
          ...(gpc === '1' && { gpc: true }),
        }
      : null;
  } catch {
    return null;
  }
}
