import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 URL-safe characters (192 random bits). */
export function generatePreviewToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compared in constant time, whatever the lengths (both sides are hashed first). */
export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
