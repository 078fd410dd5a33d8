import { attr } from './dom.js';

// Share endpoints: facebook.com/sharer, x.com/intent, linkedin.com/sharing, reddit.com/submit, wa.me, t.me/share, ...
const share =
  /\/\/(?:www\.|api\.)?(facebook|linkedin|t|twitter|x|reddit|pinterest|whatsapp|wa)\.(?:com|me)\/(?:shar|intent|submit|send|pin\/create|cws\/share|\d|\?)/;
const names: Readonly<Record<string, string>> = { x: 'twitter', wa: 'whatsapp', t: 'telegram' };

/**
 * The social network a share control posts to: its `data-share` attribute, else recognised from
 * the share URL of a link (`facebook.com/sharer`, `x.com/intent`, `linkedin.com/sharing`,
 * `reddit.com/submit`, `wa.me`, `t.me/share`, `pinterest.com/pin/create`); `undefined` when it is
 * not a share control.
 *
 * @example shareNetwork(link('https://www.facebook.com/sharer/sharer.php?u=…')) // 'facebook'
 */
export function shareNetwork(el: Element): string | undefined {
  const network = share.exec(attr(el, 'href') ?? '')?.[1];
  return attr(el, 'data-share') ?? (network && (names[network] ?? network));
}
