import { useCallback, useSyncExternalStore } from 'react';

/** What {@link usePageMember} follows: the scoped hub of `@optin/members` (`createScopedHub`) is one. */
export interface ScopeSource<M extends { readonly id: string }> {
  /** Where the page is now, read from its URL at each read: the Member whose course it is, or `null`. */
  readonly scope: { readonly member: M | null };
  /** Calls `listener` each time the page's Member changes; returns what stops calling it. */
  onScopeChange(listener: () => void): () => void;
}

/**
 * The Member whose course the page is now (`hub.scope.member`), re-rendering when it changes: pass
 * its `id` as the provider's `member` and the Member itself as `<ConsentBanner member>`. `null` on a
 * platform page, on the server and without a hub (`null` or `undefined` while it is made).
 *
 * It changes as soon as the URL does, before the app's router draws the new page: the hub reports a
 * navigation by the Navigation API (`navigation.navigate()`, a link a router intercepts) once the
 * router has drawn the page (`navigatesuccess`), so this also reads the scope again when the
 * browser's current entry changes (`currententrychange`, where the browser has the Navigation API).
 * A course page such a router draws is never shown with the previous Member's scope, not even for
 * one commit, as it would be with `member` kept in state set from `hub.onScopeChange`.
 *
 * @example
 * const member = usePageMember(hub);
 * <ConsentProvider consent={consent} member={member?.id}>
 *   <Course />
 *   <ConsentBanner member={member} declaration={registry.declaration({ member: member?.id })} />
 * </ConsentProvider>
 */
export function usePageMember<M extends { readonly id: string }>(hub: ScopeSource<M> | null | undefined): M | null {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const navigation = (globalThis as { navigation?: EventTarget }).navigation;
      navigation?.addEventListener('currententrychange', onChange);
      const stop = hub?.onScopeChange(onChange);
      return () => {
        navigation?.removeEventListener('currententrychange', onChange);
        stop?.();
      };
    },
    [hub],
  );
  const read = () => hub?.scope.member ?? null;
  return useSyncExternalStore(subscribe, read, read);
}
