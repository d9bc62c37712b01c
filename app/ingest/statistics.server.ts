import type pg from "pg";

/**
 * After a bulk load, refreshes the planner's statistics on the tables it grew. Autovacuum
 * gets there eventually, but the jobs that follow a load (aggregates, training) would run
 * first, planned for the empty tables: a nested-loop plan that reads a shop's 500k order
 * lines in 0.4 s with fresh statistics took minutes without them (measured on the demo store).
 */
export async function refreshStatistics(pool: pg.Pool): Promise<void> {
  await pool.query(`ANALYZE "Customer", "Product", "ProductVariant", "Order", "OrderLine", "Refund"`);
}
