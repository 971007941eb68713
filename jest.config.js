// Jest runs in native ESM mode (NestJS 12 packages are ESM-only): see README "Toolchain".
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: {
    '^nestjs-deepseek-pool$': '<rootDir>/libs/deepseek-pool/src/index.ts',
    '^nestjs-deepseek-pool/health$': '<rootDir>/libs/deepseek-pool/src/health/index.ts',
    '^nestjs-deepseek-pool/(redis|axios)$': '<rootDir>/libs/deepseek-pool/src/$1.ts',
    '^nestjs-deepseek-pool-mock$': '<rootDir>/libs/deepseek-mock/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 20000,
};
