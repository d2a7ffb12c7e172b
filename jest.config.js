/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The browser tests need Debian's chromium: `npm run test:browser` (jest.browser.config.js).
  // tests/integration/postgres/ is about PostgreSQL itself: it runs when DATABASE_URL names a server.
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/browser/',
    ...(process.env.DATABASE_URL ? [] : ['<rootDir>/tests/integration/postgres/']),
  ],
  // Opening a fresh embedded database takes several seconds.
  testTimeout: 60000,
  maxWorkers: 2,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
