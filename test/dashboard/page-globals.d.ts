// What the tests reach in the page through `window.relaisDashboard` (see src/dashboard/web/main.ts).
declare global {
  interface Window {
    relaisDashboard?: {
      sendControl(control: { action: 'grant' | 'revoke' | 'next' | 'reorder' | 'adjust' | 'skip' | 'unskip' | 'move'; site?: string; queue?: string[]; minutes?: number; item?: number; to?: number }): string;
      model: { floor: unknown; apply(topic: string, payload: Uint8Array, now: number): unknown };
      render(): void;
    } | null;
  }
}
export {};
