/**
 * `npm run db:start`: runs the local mongo-java-server in the foreground and prints its URI,
 * for trying the package by hand. Ctrl-C stops it.
 */
import { startTestMongo } from './mongo-java-server.js';

const file = process.argv[2];
const mongo = await startTestMongo(file ? { backend: 'h2', file } : {});
console.log(`mongo-java-server listening: MONGODB_URI=${mongo.uri}`);
const stop = (): void => {
  void mongo.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
