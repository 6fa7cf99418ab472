/**
 * Whether `work` fulfils within `ms`. The work is not cancelled (a queued Redis command or a pg
 * connect cannot be), but the caller stops waiting for it; a late rejection is not unhandled.
 */
export async function fulfilsWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return (await valueWithin(work.then(() => true, () => false), ms)) === true;
}

/** What `work` resolves to within `ms`, or undefined if it takes longer. */
export async function valueWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
