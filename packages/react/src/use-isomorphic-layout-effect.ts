import { useEffect, useLayoutEffect } from 'react';

/**
 * A layout effect in the browser (it runs in the commit, before any child's passive effect and before
 * the browser paints), a passive one on the server, where React 18 warns of a layout effect and
 * neither runs.
 */
export const useIsomorphicLayoutEffect = typeof document == 'undefined' ? useEffect : useLayoutEffect;
