/**
 * `npm run test:faults`: outages of real parts. Each file starts its own PostgreSQL cluster, its own
 * Temporal dev server and the production shape (two `npm run api`, one `npm run worker`), then stops
 * and restarts the dependencies under load. Kept out of `npm test` (jest.config.js ignores test/faults).
 */
const { transform, transformIgnorePatterns } = require('./jest.config');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.test.ts'],
  transform,
  transformIgnorePatterns,
  testTimeout: 300_000,
};
