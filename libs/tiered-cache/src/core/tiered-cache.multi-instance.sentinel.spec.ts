import { createSentinelCacheFixture } from '../../../../test/support/sentinel-cache.fixture.js';
import { describeAcrossInstances } from './testing/multi-instance.cases.js';

describeAcrossInstances('Redis Sentinel', () => createSentinelCacheFixture('multi_sentinel'));
