const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Most test files spend their time waiting on the servers, Redis and Chromium they start, so two
  // run side by side even on two cores, where jest's default (cores - 1) would run one at a time:
  // the whole suite took 851 s with one worker and 509 s with two, on the 2-core CI machine.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // isolatedModules: type checking is done once by `tsc --noEmit` in `npm test`, not per test file.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/support/load-fasttext.ts'],
  testTimeout: 30000,
};
