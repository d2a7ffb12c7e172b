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
  // A worker that has run embedded-database tests takes 0.2 to 1 s to exit once its tests are
  // done, with no handle left open: V8 frees a heap of ~1 GB on the way out, PGlite's WebAssembly
  // memories included (perf: Heap::TearDown and BackingStore::FreeResizableMemory in munmap).
  // Jest's default 0.5 s then kills it and blames leaking tests. A test that really leaves a
  // timer or socket open keeps its worker alive for good, so it is still reported, 5 s later.
  workerGracefulExitTimeout: 5000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
