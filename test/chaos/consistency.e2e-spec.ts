import { describeChecker } from './checker.suite.js';

/** CHAOS_L2=memcached runs this checker on a Memcached L2 (two shards) instead of Redis. */
describeChecker(process.env.CHAOS_L2 === 'memcached' ? 'memcached' : 'redis', 60);
