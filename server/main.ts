/**
 * `npm start`: config → logger → database (open + migrate + reference data) → demo seed → services →
 * engine → HTTP. SIGTERM/SIGINT drain requests, stop the engine, close the database, exit 0.
 */
import { exitOnStartFailure, runServer } from './server';

runServer().catch(exitOnStartFailure);
