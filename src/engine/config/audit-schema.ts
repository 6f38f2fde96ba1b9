import { z } from 'zod';

/**
 * The `audit:` section, read by `failsoft audit`: which files are tier-1 (`critical`), which files the walk
 * never enters (`ignore`), and which AI clients are not reported (`allow`). Globs are relative to the project root.
 */

const glob = z.string().min(1, 'must be a non-empty glob');

export const auditSchema = z.strictObject({
  /** Tier-1 entry points: files or globs (`src/api/**\/*.ts`); `!glob` excludes. */
  critical: z.array(glob).min(1, 'must list at least one file or glob').optional(),
  /** Files never walked into, nor audited as critical (`**\/*.test.ts`, generated code). */
  ignore: z.array(glob).optional(),
  /** AI clients not reported: package names (`@scope/*` for a scope) or API hosts. */
  allow: z.array(z.string().min(1, 'must be a package name or a host')).optional(),
});

export type AuditConfig = z.infer<typeof auditSchema>;
