/** Types of scripts/build-web.mjs for TypeScript callers (tests, the dashboard server). */
export declare const DEFAULT_OUTDIR: string;
export declare function buildWeb(options?: { outdir?: string; minify?: boolean }): Promise<{ outdir: string; files: string[]; ms: number }>;
