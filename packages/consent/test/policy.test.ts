import { describe, expect, it } from 'vitest';
import { ConsentError, definePolicy, edxPolicy, policyHash, type Policy } from '../src/index.js';

describe('definePolicy', () => {
  it('accepts the edX preset unchanged', () => {
    expect(definePolicy(structuredClone(edxPolicy))).toEqual(edxPolicy);
  });

  it('lists every problem with its path', () => {
    const bad = {
      id: 'bad id',
      version: '',
      purposes: [
        { id: 'necessary', label: 'Necessary', description: 'x', required: true, gpc: true },
        { id: 'analytics', label: '', description: '' },
        { id: 'analytics', label: 'Again', description: 'dup' },
      ],
    } as Policy;
    try {
      definePolicy(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConsentError);
      const e = error as ConsentError;
      expect(e.code).toBe('invalid_policy');
      expect(e.issues.map((i) => i.path).sort()).toEqual(
        ['id', 'version', 'purposes[1].label', 'purposes[1].description', 'purposes[2].id', 'purposes[0].gpc'].sort(),
      );
      expect(e.message).toContain('purposes[1].description');
      expect(e.hint).toMatch(/Fix/);
    }
  });

  it('rejects an id or version longer than a consent receipt carries (64), with its path', () => {
    const long = 'a'.repeat(65);
    const policy: Policy = {
      id: long,
      version: long,
      purposes: edxPolicy.purposes.map((p, i) => ({ ...p, id: i === 1 ? long : p.id })),
    };
    expect(() => definePolicy(policy)).toThrow(
      expect.objectContaining({
        code: 'invalid_policy',
        issues: [
          { path: 'id', message: expect.stringContaining('64') },
          { path: 'version', message: expect.stringContaining('64') },
          { path: 'purposes[1].id', message: expect.stringContaining('64') },
        ],
      }),
    );
    const fits = { ...structuredClone(edxPolicy), id: 'a'.repeat(64), version: 'v'.repeat(64) } as Policy;
    expect(definePolicy(fits).id).toHaveLength(64);
  });

  it('takes the language of the policy text as a BCP 47 tag, and names one that is not', () => {
    expect(definePolicy({ ...structuredClone(edxPolicy), lang: 'pt-BR' }).lang).toBe('pt-BR');
    expect(() => definePolicy({ ...structuredClone(edxPolicy), lang: 'English (UK)' })).toThrow(
      expect.objectContaining({ issues: [{ path: 'lang', message: expect.stringContaining('BCP 47') }] }),
    );
  });

  it('rejects a policy without purposes, and input that is not an object', () => {
    expect(() => definePolicy({ id: 'p', version: '1', purposes: [] })).toThrow(
      /purposes: a policy needs at least one purpose/,
    );
    expect(() => definePolicy(null as unknown as Policy)).toThrow(ConsentError);
  });

  it('refuses a misspelt field instead of ignoring it (a "gcp" flag would leave GPC off), naming the field meant', () => {
    const typos = {
      ...structuredClone(edxPolicy),
      lnag: 'en',
      purposes: edxPolicy.purposes.map(({ required, gpc, ...p }) =>
        required ? { ...p, requierd: true } : gpc ? { ...p, gcp: true } : { ...p, colour: 'blue' },
      ),
    } as Policy;
    let error: unknown;
    try {
      definePolicy(typos);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConsentError);
    const { code, issues } = error as ConsentError;
    expect(code).toBe('invalid_policy');
    // One issue a stray field, at its path; a field close to a known one names it.
    expect(issues).toEqual([
      { path: 'lnag', message: 'is not a field of a policy (misspelt? did you mean "lang"?)' },
      { path: 'purposes[0].requierd', message: 'is not a field of a purpose (misspelt? did you mean "required"?)' },
      { path: 'purposes[1].colour', message: 'is not a field of a purpose (misspelt?)' },
      { path: 'purposes[2].colour', message: 'is not a field of a purpose (misspelt?)' },
      { path: 'purposes[3].colour', message: 'is not a field of a purpose (misspelt?)' },
      { path: 'purposes[4].gcp', message: 'is not a field of a purpose (misspelt? did you mean "gpc"?)' },
    ]);
    // Fixed, it passes: and only then does GPC refuse marketing.
    expect(definePolicy({ ...structuredClone(edxPolicy), lang: 'en' }).purposes[4]?.gpc).toBe(true);
  });

  it('lets a policy define purposes of its own', () => {
    const policy = definePolicy({
      id: 'acme',
      version: '3',
      purposes: [
        { id: 'essential', label: 'Essential', description: 'Keeps the site working.', required: true },
        { id: 'research', label: 'Research', description: 'Learning-science research.' },
      ],
    });
    expect(Object.isFrozen(policy.purposes[1])).toBe(true);
  });
});

describe('edxPolicy', () => {
  it('has the purposes of the edX cookie policy, each described for a learner', () => {
    expect(edxPolicy.purposes.map((p) => p.id)).toEqual([
      'necessary',
      'analytics',
      'performance',
      'functionality',
      'marketing',
    ]);
    for (const p of edxPolicy.purposes) expect(p.description.length).toBeGreaterThan(40);
    expect(edxPolicy.purposes.filter((p) => p.required).map((p) => p.id)).toEqual(['necessary']);
    expect(edxPolicy.purposes.filter((p) => p.gpc).map((p) => p.id)).toEqual(['marketing']);
    expect(new Set(edxPolicy.purposes.filter((p) => p.group).map((p) => p.group)).size).toBe(1);
  });

  it('tells the learner, before they grant analytics, that it covers how they arrive and the emails of edX and Members', () => {
    // The collector counts email opens and clicks, and the tracker sends referrers and campaigns,
    // only under `analytics`: its description is what a learner reads before granting it.
    const analytics = edxPolicy.purposes.find((p) => p.id === 'analytics')!.description;
    expect(analytics).toMatch(/find/);
    expect(analytics).toMatch(/emails from edX and Members are opened and their links clicked/);
  });
});

describe('policyHash', () => {
  it('changes with the version, a purpose, a label or a description, and not otherwise', () => {
    const base = policyHash(edxPolicy);
    expect(policyHash(structuredClone(edxPolicy))).toBe(base);
    expect(policyHash({ ...edxPolicy, version: '2027-01' })).not.toBe(base);
    const purposes = edxPolicy.purposes.map((p) =>
      p.id === 'analytics' ? { ...p, description: `${p.description}!` } : p,
    );
    expect(policyHash({ ...edxPolicy, purposes })).not.toBe(base);
    expect(policyHash({ ...edxPolicy, purposes: edxPolicy.purposes.slice(0, 4) })).not.toBe(base);
    // The label is what the learner reads first: a new one is asked about again.
    const relabelled = edxPolicy.purposes.map((p) => (p.id === 'analytics' ? { ...p, label: 'Analytics and ads' } : p));
    expect(policyHash({ ...edxPolicy, purposes: relabelled })).not.toBe(base);
    // The display group only arranges the purposes shown: no change to what was consented to.
    const regrouped = edxPolicy.purposes.map((p) => (p.group ? { ...p, group: `${p.group}!` } : p));
    expect(policyHash({ ...edxPolicy, purposes: regrouped })).toBe(base);
    // The language the text is written in is no change to what was consented to.
    expect(policyHash({ ...edxPolicy, lang: 'en' })).toBe(base);
  });
});
