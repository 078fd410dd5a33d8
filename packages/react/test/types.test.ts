import type { ConsentOptions, ConsentStore } from '@optin/consent';
import type { ReactElement } from 'react';
import { expectTypeOf, it } from 'vitest';
import { ConsentProvider } from '../src/index.js';

// Checked by `tsc` (this file is in the package's tsconfig): @types/react before 18.2.8 (or TypeScript
// before 5.1) takes as a JSX component only a function declared to return an element or null; one
// declared to return ReactNode "cannot be used as a JSX component" there, though React 18.0 is
// supported. (<ConsentBanner/> is a forwardRef component: its type is @types/react's own.)
it('declares <ConsentProvider> to return an element, so that @types/react 18 before 18.2.8 takes it as JSX', () => {
  expectTypeOf(ConsentProvider).returns.toEqualTypeOf<ReactElement>();
});

it('takes `learner` with `options` (a user id, or none while signed out), not with a store of your own', () => {
  type Props = Parameters<typeof ConsentProvider>[0];
  expectTypeOf<{ options: ConsentOptions; learner: string | undefined }>().toExtend<Props>();
  expectTypeOf<{ consent: ConsentStore; learner: string }>().not.toExtend<Props>();
});
