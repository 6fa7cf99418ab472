import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { summarizeConfig } from './config.summary.js';
import { APP_CONFIG, type AppConfig } from './config.types.js';

/** Makes the {@link AppConfig} injectable everywhere as `@Inject(APP_CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  /** @param config already loaded, so a bad environment fails before Nest starts anything. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        {
          provide: APP_CONFIG,
          useFactory: () => {
            // Logged here, the first provider built, so the lines come before any connection attempt.
            const logger = new Logger('Config');
            for (const { level, message } of summarizeConfig(config)) logger[level](message);
            return config;
          },
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
