import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Principal, type Role } from './auth.types.js';

/** The caller as the token describes it. */
export class PrincipalDto implements Principal {
  @ApiProperty({ example: 'alice', description: 'Token subject (`sub` claim)' })
  readonly sub!: string;

  @ApiProperty({ enum: ROLES, example: 'user' })
  readonly role!: Role;
}
