/** One Temporal dev server and one workflow bundle per run (test/global-setup.ts); each test file makes its own database. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The fault suite (real outages of its own PostgreSQL and Temporal) runs with `npm run test:faults`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // iso-3166 ships only ES modules; jest's CommonJS runtime loads it compiled (tsx does the same for the service).
    '/node_modules/iso-3166/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!iso-3166/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
};
