// Sending a report exactly once: every report carries an idempotency key from its first attempt; without a
// connection it waits (sealed) in the outbox and goes out with the same key when the connection returns.
import { api, isOffline } from "./api.js";
import { go } from "./nav.js";
import { dequeue, queue, queued } from "./store.js";

export const newKey = () => crypto.randomUUID().replaceAll("-", "");

const post = (body, key) => api("/reports", { method: "POST", body, headers: { "Idempotency-Key": key } });

// Answers { receipt } when the server took it, { queued: true } when it waits on the device (with the form's
// own data, so that a report the server refuses later goes back into the form unchanged).
export async function sendReport(payload, key, form) {
  try {
    return { receipt: await post(payload, key) };
  } catch (err) {
    if (!isOffline(err)) throw err;
    await queue(key, { payload, form });
    return { queued: true };
  }
}

let flushing = false;

// Sends the oldest waiting report and shows its receipt; the receipt screen calls this again when it is closed.
export async function flushOutbox() {
  if (flushing) return;
  flushing = true;
  try {
    const [first] = await queued();
    if (!first) return;
    try {
      const receipt = await post(first.body.payload, first.key);
      await dequeue(first.key);
      await go("report", { receipt });
    } catch (err) {
      if (isOffline(err) || err.status === 429 || err.status >= 500) return; // try again later, same key
      // Refused as it is: back into the form, nothing lost, for the person to correct and send.
      await dequeue(first.key);
      await go("report", { restore: first.body.form, error: err });
    }
  } finally {
    flushing = false;
  }
}
