import type { Page } from 'playwright-core';

/** What {@link interact} did, as the report names it. */
export type Interaction = 'mouse move' | 'scroll to the end' | 'Tab key';

/** How long one step may take: a page that keeps its thread busy never takes input. */
const stepMs = 2000;

/** How many screens the audit scrolls at most, to the end of the page. */
const maxScreens = 50;

/** What `step` resolved to, or `undefined` when it failed or took longer than {@link stepMs}. */
async function within<T>(step: Promise<T>): Promise<{ readonly value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), stepMs)));
  const done = await Promise.race([step.then((value) => ({ value })).catch(() => undefined), late]);
  clearTimeout(timer);
  return done;
}

/**
 * Plays a learner who reads the page, so that trackers a page starts on interaction (the first
 * `mousemove`, `scroll` or `keydown`) or lazily below the fold (`loading="lazy"` frames and images,
 * intersection observers) start: moves the mouse to the middle of the page, scrolls down a screen
 * at a time to the end (at most {@link maxScreens} screens), and presses Tab. It never clicks, nor
 * presses Enter or Space, so nothing the page offers (a banner's "Accept all") is ever chosen, and
 * the learner's consent stays the one played. Resolves with what was done; a page that does not
 * take a step (its thread busy) is not asked for the next one.
 */
export async function interact(page: Page): Promise<Interaction[]> {
  const done: Interaction[] = [];
  const { width, height } = page.viewportSize() ?? { width: 1280, height: 720 };
  if (!(await within(page.mouse.move(width / 2, height / 2, { steps: 4 })))) return done;
  done.push('mouse move');
  for (let screen = 0; screen < maxScreens; screen++) {
    if (!(await within(page.mouse.wheel(0, height)))) return done;
    await page.waitForTimeout(50);
    const end = await within(page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 1));
    if (!end || end.value) break;
  }
  done.push('scroll to the end');
  if (await within(page.keyboard.press('Tab'))) done.push('Tab key');
  return done;
}
