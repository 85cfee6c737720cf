/** Unit tests import src/ directly; end-to-end tests spawn the committed bundles in dist/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // End-to-end tests mostly wait on child processes and timers: more workers than cores overlap the waits.
  maxWorkers: 3,
};
