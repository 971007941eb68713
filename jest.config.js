// Jest runs in native ESM mode (NestJS 12 packages are ESM-only): see README "Toolchain".
// Two projects, both run by `npm test`: unit (the packages' own specs) and e2e (apps/*/test, test/ and examples/: real
// HTTP, real redis-server, headless Chromium, packed tarballs). The e2e project's global setup finds redis-server and a
// Chromium, or installs them (Debian/Ubuntu as root), or stops with the command to run: test/support/test-tools.mjs.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: {
    '^nestjs-deepseek-pool$': '<rootDir>/libs/deepseek-pool/src/index.ts',
    '^nestjs-deepseek-pool/(health|testing)$': '<rootDir>/libs/deepseek-pool/src/$1/index.ts',
    '^nestjs-deepseek-pool/(redis|axios)$': '<rootDir>/libs/deepseek-pool/src/$1.ts',
    '^nestjs-deepseek-pool-mock$': '<rootDir>/libs/deepseek-mock/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // the packages compile to CommonJS; their specs run as ES modules like everything else here
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
};

export default {
  testTimeout: 20000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/libs', '<rootDir>/apps/gateway/src'] },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/apps/gateway/test', '<rootDir>/test', '<rootDir>/examples'],
      globalSetup: '<rootDir>/test/support/test-tools.mjs',
    },
  ],
};
