/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // test/scale always runs on PostgreSQL: it belongs to the PostgreSQL pass (npm run test:pg) only.
  testPathIgnorePatterns: process.env.TEST_DATABASE === 'postgresql' ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/scale/'],
  testTimeout: 60000,
  // The schema engine's WASM glue is an ES module: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!@prisma/schema-engine-wasm/)'],
};
