const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest's default, cores - 1: one file at a time on the 2-core CI machine. Two at a time took the
  // suite from 851 s to 509 s, but beside another busy file the first card press on a Web Chat page
  // sometimes got no reply within 30 s (two CI runs of five, in two different browser tests; never
  // alone), and its cause is not yet found (bench/README.md, eighth round).
  maxWorkers: Math.max(1, availableParallelism() - 1),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // isolatedModules: type checking is done once by `tsc --noEmit` in `npm test`, not per test file.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/support/load-fasttext.ts'],
  testTimeout: 30000,
};
