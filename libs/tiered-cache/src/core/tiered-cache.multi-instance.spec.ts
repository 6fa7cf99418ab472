import { createCacheFixture } from '../../../../test/support/cache-fixture.js';
import { describeAcrossInstances } from './testing/multi-instance.cases.js';

describeAcrossInstances('one Redis server', () => createCacheFixture('multi'));
