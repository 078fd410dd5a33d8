import { defineConfig } from 'tsup';

// React, react-dom and the Optin packages stay external (peer and regular dependencies). The
// components use hooks: "use client" lets React Server Components frameworks import them.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
  banner: { js: '"use client";' },
});
