/**
 * Keeps Tab and Shift+Tab inside `dialog` while it is modal: from its last control to its first and
 * back (the dialog itself, focused when it opens, counts as before the first). One shown non-modal
 * (the page's CSS hides it while modal) leaves the page's controls in reach.
 */
export function trapFocus(event: KeyboardEvent, dialog: HTMLElement, active: Element | null): void {
  if (event.key != 'Tab' || !dialog.matches(':modal')) return;
  const controls = [...dialog.querySelectorAll<HTMLElement>('a[href],button,input:enabled')];
  const [first] = controls;
  const last = controls.at(-1);
  const target = event.shiftKey ? (active == first || active == dialog) && last : active == last && first;
  if (target) {
    event.preventDefault();
    target.focus();
  }
}
