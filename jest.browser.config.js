/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.config.js'),
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
  testTimeout: 120000,
};
