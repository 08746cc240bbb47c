/** Root hooks (registered by .mocharc.json `require`). */
import { closeTestDatabases } from './db';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await closeTestDatabases();
  },
};
