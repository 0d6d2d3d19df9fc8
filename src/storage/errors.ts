/** Prisma's error for a unique key that already exists (P2002), on SQLite and PostgreSQL alike. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
