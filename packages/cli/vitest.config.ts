// The shared config of the library packages.
export { default } from '../../vitest.package.ts';
