import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import { AdminClient } from './admin-client';
import { ADMIN_TOKEN, seedStreet, startAdminServer, type AdminServer, type Seeded } from './admin-fixtures';

/** The seeded street, the pages on it and a signed-in browser: what most page tests start from. */
export interface OpenAdmin {
  readonly db: TestDatabase;
  readonly seeded: Seeded;
  readonly server: AdminServer;
  readonly client: AdminClient;
}

/** Opened in a test file's beforeAll: `({ db, seeded, server, client } = await openAdmin())`. */
export async function openAdmin(): Promise<OpenAdmin> {
  const db = await openTestDatabase();
  const seeded = await seedStreet(db.dataSource);
  const server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN });
  const client = new AdminClient(server.url);
  await client.signIn();
  return { db, seeded, server, client };
}

/** Closes what openAdmin opened, in the afterAll. */
export async function closeAdmin(opened: Pick<OpenAdmin, 'db' | 'server'>): Promise<void> {
  await opened.server.close();
  await opened.db.close();
}
