// @vitest-environment node
import { describe, expect, it } from 'vitest';

describe('@optin/banner on a server', () => {
  it('imports without a DOM: nothing is registered or touched until defineBanner() is called', async () => {
    expect(typeof HTMLElement).toBe('undefined');
    const banner = await import('../src/index.js');
    const { locales } = await import('../src/locales/index.js');
    expect(typeof banner.defineBanner).toBe('function');
    expect(typeof banner.mountBanner).toBe('function');
    expect(Object.keys(locales)).toEqual(['es', 'fr', 'ar', 'zh']);
    expect((await locales.ar!()).dir).toBe('rtl');
  });
});
