import { describeChecker } from './checker.suite.js';

/** The same checker on a Memcached L2 (two shards, stamps and bus in PostgreSQL), shorter in CI. */
describeChecker('memcached', 30);
