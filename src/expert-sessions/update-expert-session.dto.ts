import { PartialType } from '@nestjs/swagger';
import { CreateExpertSessionDto } from './create-expert-session.dto.js';

/** Body of `PATCH /expert-sessions/:id`: any subset of the create fields, same rules. */
export class UpdateExpertSessionDto extends PartialType(CreateExpertSessionDto) {}
