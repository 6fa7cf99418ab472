import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { CurrentUser, Roles, type Principal } from '../../../src/auth/index.js';

export class ProbeEchoDto {
  @IsString()
  readonly name!: string;

  @IsInt()
  @Min(1)
  @Max(100)
  readonly limit!: number;
}

/**
 * Test-only routes, mounted by the e2e suite next to the real app, to exercise the global guard and
 * validation pipe. Excluded from the OpenAPI document.
 */
@ApiExcludeController()
@Controller('probe')
export class ProbeController {
  @Get('admin')
  @Roles('admin')
  admin(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @Post('echo')
  echo(@Body() body: ProbeEchoDto): ProbeEchoDto {
    return body;
  }
}
