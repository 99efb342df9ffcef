// Verifies a webhook from Herald (Node.js 18+, no dependencies).
//
// Copy `verify` into your receiver. Run as a script, it reads
// {"secret", "signature", "delivery", "body", "now"?} as JSON on stdin and
// exits 0 if the webhook is genuine (Herald's test suite runs it so).
import { createHmac, timingSafeEqual } from "node:crypto";

const TOLERANCE_SECONDS = 300;

// The webhook's payload if it is Herald's and fresh, else null.
// secret: HERALD_WEBHOOK_SECRET; signature: the Herald-Signature header;
// delivery: the Herald-Delivery header; body: the raw body (a Buffer).
// Deduplicate on the payload's "delivery_id" (it is signed).
export function verify(secret, signature, delivery, body, now = Date.now() / 1000) {
  const parts = Object.fromEntries(
    signature.split(",").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
  );
  const t = Number.parseInt(parts.t, 10);
  if (!Number.isFinite(t) || typeof parts.v1 !== "string") return null;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
  const given = Buffer.from(parts.v1, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  // A signed call replayed later, or from the future, is refused.
  if (Math.abs(now - t) > TOLERANCE_SECONDS) return null;
  const payload = JSON.parse(body.toString("utf8"));
  // The header is a convenience; the signed id is the one that counts.
  if (String(payload.delivery_id) !== delivery) return null;
  return payload;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const given = JSON.parse(input);
  const payload = verify(
    given.secret,
    given.signature,
    given.delivery,
    Buffer.from(given.body, "utf8"),
    given.now ?? Date.now() / 1000,
  );
  process.exit(payload === null ? 1 : 0);
}
