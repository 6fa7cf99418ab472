import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Principal } from './auth.types.js';
import { CurrentUser } from './current-user.decorator.js';
import { PrincipalDto } from './principal.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  /** Echoes the verified token: the quickest way to check a token from `npm run token`. */
  @Get('me')
  @ApiOperation({ summary: 'Who the bearer token says you are' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiUnauthorizedResponse({ description: 'Missing, malformed, expired or wrongly signed token' })
  me(@CurrentUser() user: Principal): PrincipalDto {
    return { sub: user.sub, role: user.role };
  }
}
