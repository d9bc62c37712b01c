import { checkHealth } from "~/health.server";

/** GET /healthz: 200 when Postgres and Redis answer, 503 (with the failing part named) otherwise. */
export async function loader() {
  const health = await checkHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
