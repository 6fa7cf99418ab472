import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Product } from './product.entity.js';

/** Kinds of module a product is made of. */
export const MODULE_TYPES = ['course', 'assessment', 'project', 'interview'] as const;
export type ModuleType = (typeof MODULE_TYPES)[number];

/** One step of a product, in `sequence` order (`modules`; named so it cannot be taken for a Nest module). */
@Entity({ name: 'modules' })
export class LearningModule {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'product_id', type: 'integer' })
  productId!: number;

  @ManyToOne(() => Product, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id' })
  product?: Product;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'module_type', type: 'text' })
  moduleType!: ModuleType;

  @Column({ type: 'integer' })
  sequence!: number;
}
