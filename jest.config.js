/** Unit tests import src/ directly; end-to-end tests spawn the bundles in dist/ (`npm test` builds them first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60000,
  // End-to-end tests mostly wait on child processes and timers: a second worker overlaps the waits (a third
  // on two cores made the tests that time the step contend).
  maxWorkers: 2,
};
