/**
 * The TypeORM DataSource for the typeorm CLI, e.g.
 *   npm run typeorm -- migration:show -d ormconfig.ts
 * PostgreSQL when DATABASE_URL is set, otherwise the embedded database under MULIN_DATA_DIR.
 */
import { createDataSource } from './src/db/data-source';

export default createDataSource({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.MULIN_DATA_DIR || './data',
});
