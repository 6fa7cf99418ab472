import { ApiProperty } from '@nestjs/swagger';
import { MODULE_TYPES, type ModuleType } from '../domain/index.js';

/** One module of a product, in the performance report. */
export class ModulePerformanceDto {
  @ApiProperty({ example: 12 })
  moduleId!: number;

  @ApiProperty({ example: 'Module 3: Working with Data' })
  name!: string;

  @ApiProperty({ enum: MODULE_TYPES })
  type!: ModuleType;

  @ApiProperty({ example: 3 })
  sequence!: number;

  @ApiProperty({ description: 'Students with progress in this module', example: 9120 })
  learners!: number;

  @ApiProperty({ example: 7311 })
  completions!: number;

  @ApiProperty({ type: Number, nullable: true, example: 72.41 })
  averageScore!: number | null;
}

/** Seed 003's `calculate_product_performance`, for one product. */
export class ProductPerformanceDto {
  @ApiProperty({ example: 2 })
  productId!: number;

  @ApiProperty({ example: 'Data Analytics' })
  productName!: string;

  @ApiProperty({ example: 1 })
  clientId!: number;

  @ApiProperty({ example: 'Northwind University' })
  clientName!: string;

  @ApiProperty({ description: 'Students with any progress in the product', example: 7203 })
  enrolledStudents!: number;

  @ApiProperty({ description: 'Students who completed every module', example: 2480 })
  completedStudents!: number;

  @ApiProperty({ description: 'completedStudents / enrolledStudents, in percent (one decimal)', example: 34.4 })
  completionRate!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Average score over completed modules', example: 72.5 })
  averageScore!: number | null;

  @ApiProperty({ type: [ModulePerformanceDto] })
  modules!: ModulePerformanceDto[];
}
