/** Lets pending timers and promise callbacks run once. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Polls `condition` every 5 ms for about 1.5 s; throws naming `what` if it never holds. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 300; round++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
