/**
 * Whether `work` fulfils within `ms`. The work is not cancelled (a queued Redis command or a pg
 * connect cannot be), but the caller stops waiting for it; a late rejection is not unhandled.
 */
export async function fulfilsWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true, () => false), expired]);
  } finally {
    clearTimeout(timer);
  }
}
