import { describe, expect, it } from 'vitest';
import { messagePurposes } from '../src/message-purposes.js';

/** The purpose a `track` event named `event` needs. */
const purposeOf = (event: string): string | undefined => messagePurposes({ type: 'track', event })[0];

describe('the purpose a track event name calls for', () => {
  it('reads a word between any characters that are not letters or digits, as a learner would read it', () => {
    const marketing = [
      'ad/clicked',
      'edx/ads/shown',
      'promo|banner',
      'ad,shown',
      'ad+shown',
      '(ad) shown',
      'ad#1',
      'ad!',
      'ad\u2013shown',
      'ad\u2014shown',
      'ad\u00b7shown',
      'ad\tshown',
      'ad\u3000shown',
      'Marketing&Ads',
      'Retargeting/Pixel',
      'ÜberAdShown',
    ];
    const performance = ['web/vitals', 'LCP/measured', 'page|timing', 'perf#2'];
    expect(Object.fromEntries([...marketing, ...performance].map((e) => [e, purposeOf(e)]))).toEqual({
      ...Object.fromEntries(marketing.map((e) => [e, 'marketing'])),
      ...Object.fromEntries(performance.map((e) => [e, 'performance'])),
    });
  });

  it('reads a name as its compatibility form, invisible format characters left out or read as separators', () => {
    const marketing = [
      'Ad\u200bClicked',
      'ad\u00adclicked',
      'marketing\u200d',
      'a\u200bd_clicked',
      '\uff21\uff24_clicked',
      'ad\ufeffshown',
      'campaign\u2060viewed',
    ];
    expect(Object.fromEntries(marketing.map((e) => [e, purposeOf(e)]))).toEqual(
      Object.fromEntries(marketing.map((e) => [e, 'marketing'])),
    );
    expect(purposeOf('\uff37\uff45\uff42\uff36\uff49\uff54\uff41\uff4c\uff53')).toBe('performance');
  });

  it('splits camelCase words of any script', () => {
    expect(purposeOf('caféAdShown')).toBe('marketing');
    expect(purposeOf('ÉLÈVEÀAdsClicked')).toBe('marketing');
    expect(purposeOf('ÇAdsClicked')).toBe('marketing');
    expect(purposeOf('straßeLcpMeasured')).toBe('performance');
    expect(purposeOf('retargetingPixelFired')).toBe('marketing');
    expect(purposeOf('AdsClicked')).toBe('marketing');
    expect(purposeOf('adsClicked')).toBe('marketing');
  });

  it("needs marketing for Segment's attribution, referral and coupon events", () => {
    for (const event of [
      'Install Attributed',
      'attribution_recorded',
      'Referral Sent',
      'referrals_listed',
      'Coupon Applied',
      'couponEntered',
    ])
      expect(purposeOf(event), event).toBe('marketing');
  });

  it('still never reads a word inside another one', () => {
    for (const event of [
      'adjusted',
      'address_changed',
      'header/clicked',
      'loaded',
      'uploadAdjusted',
      'campaigns_listed',
      'performed_search',
      'attribute_changed',
      'edx.ui.lms.link_clicked',
      'vidéo/lue',
    ])
      expect(purposeOf(event), event).toBe('analytics');
  });

  it('keeps every name the separators of before read as marketing or speed', () => {
    const before = {
      adClicked: 'marketing',
      ad2Shown: 'marketing',
      'Ad Clicked': 'marketing',
      AD_CLICKED: 'marketing',
      'ad\u00a0shown': 'marketing',
      utm_campaign_set: 'marketing',
      advertisement_shown: 'marketing',
      'promo_code:applied': 'marketing',
      webVitalsReported: 'performance',
      web_vitals: 'performance',
      ttfb2Sample: 'performance',
    };
    expect(Object.fromEntries(Object.keys(before).map((e) => [e, purposeOf(e)]))).toEqual(before);
  });
});
