/**
 * How much data a seed run makes. Per-student enrolment and progress are drawn from a
 * deterministic hash of the row's ids, so the row counts below are averages:
 * - each student is enrolled in 1 or 2 of their client's products (1.5 on average);
 * - in each, they reached module k (uniform, or the last one with probability 0.35) and have one
 *   progress row per module up to k;
 * - they watched about half of each enrolled product's expert sessions;
 * - each chat has `messagesPerChat` messages on average (between half and one and a half times).
 */
export interface SeedScale {
  readonly clients: number;
  readonly productsPerClient: number;
  readonly modulesPerProduct: number;
  readonly studentsPerClient: number;
  readonly sessionsPerProduct: number;
  /** Users `student-1` .. `student-<chatUsers>` get chats. */
  readonly chatUsers: number;
  readonly chatsPerUser: number;
  readonly messagesPerChat: number;
}

export const SEED_SCALE_NAMES = ['small', 'medium', 'large'] as const;
export type SeedScaleName = (typeof SEED_SCALE_NAMES)[number];

/**
 * - small: ~1.5k module-progress rows, ~700 messages; seconds, for tests and trying the API.
 * - medium: ~100k module-progress rows, ~100k messages.
 * - large: ~1M module-progress rows, ~0.7M session-progress rows, ~1M messages.
 */
export const SEED_SCALES: Readonly<Record<SeedScaleName, SeedScale>> = {
  small: {
    clients: 3,
    productsPerClient: 2,
    modulesPerProduct: 5,
    studentsPerClient: 100,
    sessionsPerProduct: 4,
    chatUsers: 20,
    chatsPerUser: 3,
    messagesPerChat: 12,
  },
  medium: {
    clients: 10,
    productsPerClient: 4,
    modulesPerProduct: 8,
    studentsPerClient: 1_200,
    sessionsPerProduct: 6,
    chatUsers: 2_000,
    chatsPerUser: 5,
    messagesPerChat: 10,
  },
  large: {
    clients: 20,
    productsPerClient: 5,
    modulesPerProduct: 10,
    studentsPerClient: 4_800,
    sessionsPerProduct: 8,
    chatUsers: 10_000,
    chatsPerUser: 5,
    messagesPerChat: 20,
  },
};

/** Product names are unique per client and drawn from a list of this length. */
export const MAX_PRODUCTS_PER_CLIENT = 8;

/** Checks a custom scale (tests build their own), naming the first bad field. */
export function assertSeedScale(scale: SeedScale): void {
  for (const [field, value] of Object.entries(scale)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`seed scale: ${field} must be a positive integer, got ${value}`);
  }
  if (scale.productsPerClient > MAX_PRODUCTS_PER_CLIENT) {
    throw new RangeError(`seed scale: productsPerClient must be at most ${MAX_PRODUCTS_PER_CLIENT}, got ${scale.productsPerClient}`);
  }
  const students = scale.clients * scale.studentsPerClient;
  if (scale.chatUsers > students) throw new RangeError(`seed scale: chatUsers (${scale.chatUsers}) must not exceed the ${students} students`);
}
