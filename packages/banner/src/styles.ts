/**
 * The banner's stylesheet. Theme it from the page with custom properties on `optin-banner` (or
 * any ancestor): `--optin-bg`, `--optin-fg`, `--optin-accent`, `--optin-on-accent`, `--optin-muted`,
 * `--optin-radius`, `--optin-font`, `--optin-z`. The defaults meet WCAG AA contrast (≥ 4.5:1).
 * `all:initial` on the host: the text styles a page sets on its body (`text-align: left` in an
 * Arabic banner, `text-transform`, `letter-spacing`, `white-space`) stop at the banner, while the
 * custom properties still come through. The text is the learner's default size (`medium`: the
 * browser's font size setting), whatever the page's own CSS. Each line ends in `\`, so the bundle
 * carries no newlines.
 */
export const css = `\
:host{all:initial;--a:var(--optin-accent,#0a58a8);--o:var(--optin-on-accent,#fff);--m:var(--optin-muted,#595959);font:medium/1.5 var(--optin-font,system-ui,sans-serif);overflow-wrap:anywhere}\
:focus-visible{outline:3px solid var(--a);outline-offset:2px}\
.p,.s{position:fixed;box-sizing:border-box;z-index:var(--optin-z,2147483600);background:var(--optin-bg,#fff);color:var(--optin-fg,#1b1b1b)}\
.p{inset:auto 0 0;overscroll-behavior:contain;max-width:none;width:auto;max-height:85vh;padding:1em 1.5em 0;scroll-padding-bottom:8em;border:0;border-top:1px solid var(--m);box-shadow:0 -4px 16px #0003;animation:i .25s ease-out;transition:1ms step-start;outline:0}\
.x{max-width:46em}\
h2,h3,legend,li{margin:0 0 .5em}\
h2{font-size:1.25em}\
p{margin:0 0 .75em}\
p.d{margin-top:.25em}.d{color:var(--m)}\
.a{display:flex;flex-flow:wrap;gap:.5em;position:sticky;padding:.5em 0 1em;bottom:0;background:inherit}\
button{font:inherit;cursor:pointer;border-radius:var(--optin-radius,6px)}\
.a button{min-width:9em;border:2px solid var(--a);padding:.5em 1em;background:var(--a);color:var(--o);font-weight:600}\
.s{inset-inline-start:1em;bottom:1em;padding:.4em .8em;border:1px solid var(--m);font-size:.85em}\
fieldset{border:0;margin:0 0 1em;padding:0}\
h3,legend{font:inherit;font-weight:700;padding:0}\
label{display:flex;align-items:center;gap:.6em;font-weight:600}\
input{--k:var(--m);--g:#0000;flex:none;appearance:none;width:2.6em;height:1.5em;border:2px solid var(--k);margin:0;border-radius:1em;background:radial-gradient(circle,var(--k) 40%,#0000 46%) 0/1.5em 100% no-repeat var(--g);transition:.15s}\
input:checked{--k:var(--o);--g:var(--a);border-color:var(--g);background-position-x:100%}\
[dir=rtl] input{scale:-1}\
input:disabled{opacity:.6}\
ul{list-style:none;padding:0}\
a{color:var(--a);margin-inline-end:1em}\
a[target]:after{content:" \\2197"/""}\
@keyframes i{from{translate:0 100%}}\
@media (max-height:30em),(max-width:30em){.a{position:static}}\
@media (prefers-reduced-motion){.p{animation:none}input{transition:none}}\
@media (forced-colors){input{forced-color-adjust:none;--k:CanvasText}input:checked{--k:HighlightText;--g:Highlight}input:disabled{opacity:1;--k:GrayText}input:checked:disabled{--k:Canvas;--g:GrayText}:focus-visible{outline-color:Highlight}}`;

let sheet: CSSStyleSheet | undefined;

/** The stylesheet, constructed once on first use (constructable stylesheets: no inline style, CSP-safe). */
export function bannerSheet(): CSSStyleSheet {
  if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(css);
  return sheet;
}
