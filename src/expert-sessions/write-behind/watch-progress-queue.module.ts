import { Module } from '@nestjs/common';
import { WatchProgressWriteBehind } from './watch-progress.write-behind.js';

/** The watch progress queue, shared by the expert sessions and by the health and metrics modules. */
@Module({
  providers: [WatchProgressWriteBehind],
  exports: [WatchProgressWriteBehind],
})
export class WatchProgressQueueModule {}
