/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // The schema engine's WASM glue is an ES module: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!@prisma/schema-engine-wasm/)'],
};
