import { defineConfig } from 'prisma/config';
export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.PGMUX_URL || 'postgresql://app:app@127.0.0.1:6432/app' },
});
