import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The CLI downloads a native schema engine at start and fails offline; generate/validate/format
// do not need it, so point it at any existing file. Migrations run through WASM (src/storage/migrate.ts).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'package.json');

export default defineConfig({
  schema: path.join('prisma', process.env.PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite'),
});
